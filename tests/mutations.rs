//! Seeded mutation testing of every reader of outside bytes: the data file,
//! IDX files and model files, each damaged thousands of ways (byte flips,
//! truncation, insertion, random overwrites of headers). A reader must return
//! an error or a sound value, never panic. Not coverage-guided fuzzing: a
//! fixed, reproducible corpus that runs in plain `cargo test`.

use aelab::data::{self, Digits, Protocol, PIXELS};
use aelab::experiment::table::{config, Preset};
use aelab::rng::Rng;
use aelab::{modelfile, Model};
use std::panic::{catch_unwind, AssertUnwindSafe};

const ROUNDS: usize = 20_000;

fn mutate(good: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut b = good.to_vec();
    for _ in 0..1 + rng.below(3) {
        match rng.below(5) {
            0 if !b.is_empty() => {
                let i = rng.below(b.len());
                b[i] ^= 1 << rng.below(8);
            }
            1 => b.truncate(rng.below(b.len() + 1)),
            2 => {
                let i = rng.below(b.len() + 1);
                let extra: Vec<u8> = (0..1 + rng.below(16))
                    .map(|_| rng.below(256) as u8)
                    .collect();
                b.splice(i..i, extra);
            }
            3 => {
                // Overwrite somewhere in the first 64 bytes: the headers.
                let n = b.len().min(64);
                if n > 0 {
                    let i = rng.below(n);
                    b[i] = rng.below(256) as u8;
                }
            }
            _ => b = (0..rng.below(200)).map(|_| rng.below(256) as u8).collect(),
        }
    }
    b
}

fn tiny_digits(n: usize) -> Digits {
    let mut r = Rng::new(4);
    Digits {
        pixels: (0..n * PIXELS).map(|_| r.below(256) as u8).collect(),
        labels: (0..n).map(|i| (i % 10) as u8).collect(),
    }
}

fn idx(dims: &[u32], body: &[u8]) -> Vec<u8> {
    let mut b = vec![0, 0, 8, dims.len() as u8];
    for d in dims {
        b.extend_from_slice(&d.to_be_bytes());
    }
    b.extend_from_slice(body);
    b
}

fn survive<T>(what: &str, i: usize, f: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(f))
        .unwrap_or_else(|_| panic!("{what}: mutation {i} made the reader panic"))
}

#[test]
fn damaged_data_files_never_panic() {
    let good = data::encode_subset(&tiny_digits(12));
    let mut rng = Rng::new(1);
    for i in 0..ROUNDS {
        let bad = mutate(&good, &mut rng);
        if let Ok(d) = survive("data file", i, || data::parse_subset(&bad)) {
            assert_eq!(d.pixels.len(), d.labels.len() * PIXELS);
            assert!(d.labels.iter().all(|&l| l < 10));
        }
    }
}

#[test]
fn damaged_idx_files_never_panic() {
    let d = tiny_digits(6);
    let images = idx(&[6, 28, 28], &d.pixels);
    let labels = idx(&[6], &d.labels);
    let mut rng = Rng::new(2);
    for i in 0..ROUNDS {
        let (bi, bl) = if i % 2 == 0 {
            (mutate(&images, &mut rng), labels.clone())
        } else {
            (images.clone(), mutate(&labels, &mut rng))
        };
        if let Ok(got) = survive("idx", i, || data::read_idx_pair(&bi, &bl)) {
            assert_eq!(got.pixels.len(), got.labels.len() * PIXELS);
        }
    }
}

#[test]
fn damaged_model_files_never_panic_or_load_garbage() {
    let mut c = config("mnist_auto_1", Preset::Best, Protocol::Browser).unwrap();
    c.encoder[0].width = 4;
    c.head = Some(vec![]);
    let good = modelfile::save(&Model::new(&c).unwrap());
    let mut rng = Rng::new(3);
    let mut loaded = 0;
    for i in 0..ROUNDS {
        let bad = mutate(&good, &mut rng);
        if let Ok(m) = survive("model file", i, || modelfile::load(&bad)) {
            loaded += 1;
            assert!(m.all_finite(), "mutation {i} loaded non-finite weights");
            m.config.validate().expect("a loaded config is valid");
        }
    }
    // Flips inside the tensor data still load (they are valid floats): the
    // test reaches the success path too, not only the error paths.
    assert!(loaded > 0);
}
