//! The two data protocols (book and browser) and the split they make.

use super::*;
use crate::bail;
use crate::error::Result;
use crate::rng::Rng;
use serde::{Deserialize, Serialize};

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

/// The report's budgets, which both protocols keep: the "1% of labels" rows
/// see 480 labels (1% of its 48,000 training images) and an autoencoder sees
/// 480,000 images (10 epochs over 48,000). The page's protocol reduces the
/// distinct images to 8,000, so it takes 6% of them and 60 epochs.
impl Protocol {
    /// The fraction of the training part the "1%" rows label.
    pub fn few_labels(self) -> f64 {
        match self {
            Protocol::Book => 0.01,
            Protocol::Browser => 0.06,
        }
    }

    /// Autoencode epochs for the report's 10 epochs' worth of samples.
    pub fn ae_epochs(self) -> usize {
        match self {
            Protocol::Book => 10,
            Protocol::Browser => 60,
        }
    }
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

/// How many of `n` images a protocol puts in the training part (80%).
pub fn train_size(n: usize) -> usize {
    n * 8 / 10
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
            let n_train = train_size(source.len());
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
            let n_train = train_size(source.len());
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
    use crate::data::tiny;

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
