//! The label-efficiency curve's configurations: the MLP alone and the
//! autoencoder-pre-trained model, each with and without label propagation,
//! at a given number of labels. Shared by `aelab curve` and the page.

use super::config::Config;
use super::table::{self, Kind, Preset};
use crate::data::Protocol;
use serde::Serialize;

/// One curve: its name, the reference row it starts from, and whether it
/// propagates the labels.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Curve {
    pub name: &'static str,
    pub row: &'static str,
    pub propagate: bool,
}

pub const CURVES: [Curve; 4] = [
    Curve {
        name: "MLP",
        row: "mnist_mlp_1p",
        propagate: false,
    },
    Curve {
        name: "AE pre-trained",
        row: "mnist_auto_2",
        propagate: false,
    },
    Curve {
        name: "MLP + propagation",
        row: "mnist_mlp_1p",
        propagate: true,
    },
    Curve {
        name: "AE + propagation",
        row: "mnist_auto_2",
        propagate: true,
    },
];

/// Curve `c`'s config with `labels` of the `n_train` training images
/// labelled, on images of `kind`. Without propagation the supervised phase sees the labelled
/// images only, at the all-labels preset's rate, and for as many steps as
/// that preset takes over all labels (up to the epoch limit): few labels at
/// the same epochs would be a few dozen steps.
pub fn config(
    c: &Curve,
    protocol: Protocol,
    kind: Kind,
    labels: usize,
    n_train: usize,
) -> Option<Config> {
    let mut cfg = table::config_for(c.row, Preset::Best, protocol, kind)?;
    cfg.label_fraction = labels.clamp(1, n_train.max(1)) as f64 / n_train.max(1) as f64;
    if !c.propagate {
        let plain = table::config_for("mnist_mlp_all", Preset::Best, protocol, kind)?;
        cfg.propagate = false;
        cfg.linear_vote = 0.0;
        cfg.optim = plain.optim;
        cfg.sup_epochs = (plain.sup_epochs * n_train / labels.max(1)).clamp(1, 1000);
    }
    Some(cfg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_curves_configs_are_valid_and_label_what_they_say() {
        for c in &CURVES {
            for labels in [1, 10, 100, 8000] {
                let cfg = config(c, Protocol::Browser, Kind::Digits, labels, 8000).unwrap();
                cfg.validate().unwrap();
                assert_eq!((cfg.label_fraction * 8000.0).round() as usize, labels);
                assert_eq!(cfg.propagate, c.propagate);
            }
        }
        // 10 labels without propagation: 1,000 epochs (the limit), not 10.
        assert_eq!(
            config(&CURVES[0], Protocol::Browser, Kind::Digits, 10, 8000)
                .unwrap()
                .sup_epochs,
            1000
        );
    }
}
