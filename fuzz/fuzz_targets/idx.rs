//! The IDX reader (raw or gzip) on arbitrary image/label files: an error,
//! never a panic. The first two bytes say where the input splits in two.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if bytes.len() < 2 {
        return;
    }
    let split = (u16::from_le_bytes([bytes[0], bytes[1]]) as usize).min(bytes.len() - 2);
    let (images, labels) = bytes[2..].split_at(split);
    if let Ok(d) = aelab::data::read_idx_pair(images, labels) {
        assert_eq!(d.pixels.len(), d.len() * aelab::data::PIXELS);
        assert!(d.labels.iter().all(|&l| l < 10));
    }
});
