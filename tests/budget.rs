//! The size budget: random layer lists are either refused by name before
//! anything is allocated, or built into exactly the parameters the budget
//! counted; a model file whose config asks for too much, or for more weights
//! than the file holds, is refused before a model is built.

use aelab::data::Protocol;
use aelab::experiment::budget::{Footprint, MAX_BYTES, MAX_LAYERS};
use aelab::experiment::table::{config, Preset};
use aelab::nn::activation::Activation::{Relu, Sigmoid};
use aelab::nn::model::Model;
use aelab::nn::net::LayerSpec;
use aelab::rng::Rng;
use aelab::{modelfile, Config};

fn layers(rng: &mut Rng, max_depth: usize, max_width: usize) -> Vec<LayerSpec> {
    (0..1 + rng.below(max_depth))
        .map(|_| LayerSpec {
            width: 1 + rng.below(max_width),
            act: Relu,
        })
        .collect()
}

fn parameters(m: &Model) -> u64 {
    m.nets()
        .map(|(_, n)| {
            n.layers
                .iter()
                .map(|l| (l.w.len() + l.b.len()) as u64)
                .sum::<u64>()
        })
        .sum()
}

#[test]
fn random_layer_lists_are_refused_by_the_budget_or_built_as_counted() {
    let mut rng = Rng::new(38);
    let (mut refused, mut built) = (0, 0);
    for case in 0..400 {
        let mut c = config("mnist_auto_2", Preset::Best, Protocol::Browser).unwrap();
        // Mostly small nets (built and counted), some deep or wide (refused).
        let (depth, width) = if case % 4 == 0 { (90, 4096) } else { (4, 300) };
        c.encoder = layers(&mut rng, depth, width);
        c.decoder = layers(&mut rng, depth, width);
        c.decoder.push(LayerSpec {
            width: 784,
            act: Sigmoid,
        });
        c.head = Some(layers(&mut rng, depth, width));
        c.batch = 1 + rng.below(512);
        let f = Footprint::of(&c);
        let deepest = [c.encoder.len(), c.decoder.len()]
            .into_iter()
            .chain(c.head.as_ref().map(Vec::len))
            .max()
            .unwrap();
        let over = deepest > MAX_LAYERS || f.bytes() > MAX_BYTES;
        match c.validate() {
            Err(e) => {
                assert!(over, "case {case}: refused within the budget: {e}");
                assert!(e.message.contains("budget"), "case {case}: {e}");
                assert!(
                    matches!(e.field.as_deref(), Some("encoder" | "decoder" | "head")),
                    "case {case}: field {:?}",
                    e.field
                );
                refused += 1;
            }
            Ok(()) => {
                assert!(!over, "case {case}: {f:?} passed");
                if f.parameters < 3_000_000 {
                    let m = Model::new(&c).unwrap();
                    assert_eq!(parameters(&m), f.parameters, "case {case}");
                    built += 1;
                }
            }
        }
    }
    assert!(
        refused > 20 && built > 100,
        "refused {refused}, built {built}"
    );
}

#[test]
fn forty_layers_of_4096_are_refused_with_what_was_asked_and_what_fits() {
    let mut c: Config = config("mnist_mlp_all", Preset::Best, Protocol::Browser).unwrap();
    c.head = Some(vec![
        LayerSpec {
            width: 4096,
            act: Relu
        };
        40
    ]);
    let e = c.validate().unwrap_err();
    assert_eq!(e.field.as_deref(), Some("head"));
    let asked = format!("{} parameters", Footprint::of(&c).parameters);
    assert!(e.message.contains(&asked), "{e}");
    assert!(e.message.contains("the budget is 1024 MiB"), "{e}");
    c.head = Some(vec![
        LayerSpec {
            width: 64,
            act: Relu
        };
        2002
    ]);
    let e = c.validate().unwrap_err();
    assert!(e.message.contains("2002 layers; the budget is 64"), "{e}");
}

/// A model file's header with its config replaced (the tensors kept).
fn with_config(file: &[u8], config: &Config) -> Vec<u8> {
    let n = u64::from_le_bytes(file[..8].try_into().unwrap()) as usize;
    let mut header: serde_json::Value = serde_json::from_slice(&file[8..8 + n]).unwrap();
    header["__metadata__"]["config"] = serde_json::to_string(config).unwrap().into();
    let text = serde_json::to_vec(&header).unwrap();
    let mut out = (text.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(&text);
    out.extend_from_slice(&file[8 + n..]);
    out
}

#[test]
fn model_files_are_checked_against_the_budget_and_their_shapes_before_a_model_is_built() {
    let c = config("mnist_auto_2", Preset::Best, Protocol::Browser).unwrap();
    let file = modelfile::save(&Model::new(&c).unwrap());
    assert!(modelfile::load(&file).is_ok());
    let mut huge = c.clone();
    huge.encoder = vec![
        LayerSpec {
            width: 4096,
            act: Relu
        };
        40
    ];
    let e = modelfile::load(&with_config(&file, &huge)).unwrap_err();
    assert!(e.message.contains("budget"), "{e}");
    // Within the budget, but more weights than the file holds: refused
    // before a model is built.
    let mut wider = c.clone();
    wider.encoder[0].width = 65;
    let e = modelfile::load(&with_config(&file, &wider)).unwrap_err();
    assert!(
        e.message.contains("needs more weights than the file holds"),
        "{e}"
    );
    // Fewer weights than it holds, of other shapes: refused by shape.
    let mut narrower = c.clone();
    narrower.encoder[0].width = 63;
    let e = modelfile::load(&with_config(&file, &narrower)).unwrap_err();
    assert!(
        e.message
            .contains("encoder.0.weight has shape [784, 64]; the config needs [784, 63]"),
        "{e}"
    );
    assert_eq!(
        Footprint::of(&c).parameters,
        parameters(&Model::new(&c).unwrap())
    );
}
