//! The standard MNIST IDX format (raw or gzip) and a directory of IDX files.

use super::*;
use crate::bail;
use crate::error::Result;

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

pub(crate) fn check_labels(labels: &[u8], what: &str) -> Result<()> {
    if let Some(i) = labels.iter().position(|&l| l as usize >= CLASSES) {
        bail!(
            "{what}: label {} at index {i} is out of range (expected 0..9)",
            labels[i]
        );
    }
    Ok(())
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
                crate::error::Error::new(format!(
                    "cannot read {} (or without .gz): {e}",
                    gz.display()
                ))
            })
    };
    read_idx_pair(&read("images-idx3-ubyte")?, &read("labels-idx1-ubyte")?)
}

/// An IDX file of unsigned bytes with these dimensions (what `parse_idx`
/// reads; for tests and for writing one's own data).
pub fn encode_idx(dims: &[u32], data: &[u8]) -> Vec<u8> {
    let mut b = vec![0, 0, 8, dims.len() as u8];
    for d in dims {
        b.extend_from_slice(&d.to_be_bytes());
    }
    b.extend_from_slice(data);
    b
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::tiny;

    use encode_idx as idx;

    #[test]
    fn idx_reader_checks_shapes() {
        let d = tiny(3);
        let imgs = idx(&[3, 28, 28], &d.pixels);
        let labs = idx(&[3], &d.labels);
        assert_eq!(read_idx_pair(&imgs, &labs).unwrap(), d);
        let wrong_dims = idx(&[3, 27, 29], &d.pixels[..3 * 27 * 29]);
        assert!(read_idx_pair(&wrong_dims, &labs)
            .unwrap_err()
            .message
            .contains("[n, 28, 28]"));
        let labs2 = idx(&[2], &d.labels[..2]);
        assert!(read_idx_pair(&imgs, &labs2)
            .unwrap_err()
            .message
            .contains("3 images"));
        assert!(parse_idx(&imgs[..imgs.len() - 5], "x")
            .unwrap_err()
            .message
            .contains("truncated"));
        assert!(parse_idx(b"\x1f\x8b\x08garbage", "x")
            .unwrap_err()
            .message
            .contains("gzip"));
        assert!(parse_idx(&[0, 0, 0x0d, 1, 0, 0, 0, 0], "x")
            .unwrap_err()
            .message
            .contains("unsigned bytes"));
    }
}
