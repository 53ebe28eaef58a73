//! The ablation ladder: from a row's `faithful` config to its `best`, one
//! ingredient at a time, so each ingredient's effect can be read off (with
//! its spread over seeds). A rung takes its fields from the best config, so
//! the last rung is `best` itself (a test checks it).

use super::config::Config;
use super::table::{self, Kind, Preset};
use crate::data::Protocol;

/// One ingredient: its name, and the fields it takes from `best`.
pub struct Rung {
    pub name: &'static str,
    apply: fn(&mut Config, &Config),
}

/// The rungs of a classifier row (1% of labels, with or without
/// pre-training).
pub const CLASSIFIER: &[Rung] = &[
    Rung {
        name: "pixels on 0..1",
        apply: |c, b| c.scale = b.scale,
    },
    Rung {
        name: "+ He/Glorot init, linear code, sigmoid + BCE decoder",
        apply: |c, b| {
            c.init = b.init;
            c.encoder = b.encoder.clone();
            c.decoder = b.decoder.clone();
            c.recon_loss = b.recon_loss;
        },
    },
    Rung {
        name: "+ Adam 2e-3, larger batches, cosine schedule",
        apply: |c, b| {
            c.optim = b.optim;
            c.batch = b.batch;
            c.cosine = b.cosine;
        },
    },
    Rung {
        name: "+ deskewed digits",
        apply: |c, b| c.deskew = b.deskew,
    },
    Rung {
        name: "+ label propagation",
        apply: |c, b| {
            c.propagate = b.propagate;
            c.centre_graph = b.centre_graph;
            c.optim = b.optim;
            c.sup_epochs = b.sup_epochs;
        },
    },
    Rung {
        name: "+ a softmax regression's vote in the labels (= best)",
        apply: |c, b| c.linear_vote = b.linear_vote,
    },
];

/// The rungs of a hash row.
pub const HASH: &[Rung] = &[
    Rung {
        name: "pixels on 0..1, init, sigmoid + BCE decoder, schedule",
        apply: |c, b| {
            c.scale = b.scale;
            c.init = b.init;
            c.decoder = b.decoder.clone();
            c.recon_loss = b.recon_loss;
            c.optim = b.optim;
            c.batch = b.batch;
            c.cosine = b.cosine;
            c.deskew = b.deskew;
        },
    },
    Rung {
        name: "+ linear code, bits at each unit's median",
        apply: |c, b| {
            c.encoder = b.encoder.clone();
            c.balanced_bits = b.balanced_bits;
        },
    },
    Rung {
        name: "+ graph term between neighbours' codes",
        apply: |c, b| {
            c.graph_weight = b.graph_weight;
            c.centre_graph = b.centre_graph;
        },
    },
    Rung {
        name: "+ ITQ rotation (= best)",
        apply: |c, b| c.itq = b.itq,
    },
];

/// (rung name, config) from `faithful` up to `best` for one row, on images
/// of `kind`. A rung that changes nothing for that kind (deskewing, which
/// `best` does for digits only) is left out.
pub fn ladder(name: &str, protocol: Protocol, kind: Kind) -> Option<Vec<(&'static str, Config)>> {
    let mut c = table::config_for(name, Preset::Faithful, protocol, kind)?;
    let best = table::config_for(name, Preset::Best, protocol, kind)?;
    let rungs = if best.is_hash() { HASH } else { CLASSIFIER };
    let mut out = vec![("faithful", c.clone())];
    for r in rungs {
        (r.apply)(&mut c, &best);
        if out.last().is_some_and(|(_, last)| *last != c) {
            out.push((r.name, c.clone()));
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_ladder_climbs_from_faithful_to_best_and_every_rung_changes_something() {
        for name in [
            "mnist_mlp_1p",
            "mnist_auto_1",
            "mnist_auto_2",
            "mnist_hash_2",
        ] {
            for (protocol, kind) in [
                (Protocol::Book, Kind::Digits),
                (Protocol::Browser, Kind::Digits),
                (Protocol::Book, Kind::Other),
            ] {
                let l = ladder(name, protocol, kind).unwrap();
                assert_eq!(
                    l[0].1,
                    table::config_for(name, Preset::Faithful, protocol, kind).unwrap()
                );
                assert_eq!(
                    l.last().unwrap().1,
                    table::config_for(name, Preset::Best, protocol, kind).unwrap(),
                    "{name}"
                );
                let rungs = if l[0].1.is_hash() { HASH } else { CLASSIFIER };
                // Digits climb every rung; other images skip only the
                // classifiers' deskewing rung.
                let skipped = kind == Kind::Other && !l[0].1.is_hash();
                assert_eq!(l.len(), rungs.len() + 1 - usize::from(skipped), "{name}");
                let deskew = l.iter().any(|(n, _)| n.contains("deskew"));
                assert_eq!(deskew, !skipped && !l[0].1.is_hash(), "{name}");
                for (i, w) in l.windows(2).enumerate() {
                    // An MLP has no decoder or code: its init rung changes only the init.
                    assert_ne!(
                        w[0].1, w[1].1,
                        "{name} {protocol:?}: rung {i} changes nothing"
                    );
                }
                for (_, c) in &l {
                    c.validate().unwrap();
                }
            }
        }
    }
}
