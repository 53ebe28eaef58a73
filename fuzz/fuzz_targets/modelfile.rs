//! The model-file reader on arbitrary bytes: an error, never a panic, and a
//! model it accepts is finite with a valid config.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(m) = aelab::modelfile::load(bytes) {
        assert!(m.all_finite());
        m.config.validate().expect("a loaded config is valid");
    }
});
