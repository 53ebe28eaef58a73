//! The page's data-file reader on arbitrary bytes: an error, never a panic,
//! and what it accepts is consistent.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(d) = aelab::data::parse_subset(bytes) {
        assert_eq!(d.pixels.len(), d.len() * aelab::data::PIXELS);
        assert!(d.labels.iter().all(|&l| l < 10));
    }
});
