//! A seeded fuzzer of configs as the page sends them (JSON): valid ones and
//! absurd ones (widths, epochs, rates, fractions, flags, layer lists, wrong
//! types, unknown fields) through `Config::parse` and the `Session`. Each is
//! either refused with a message naming the field at fault, or trains to
//! finite figures (or stops with a divergence message, weights finite); after
//! every refusal the previous model is bit-identical. A failure prints the
//! case number and config: `AELAB_FUZZ_CASES` / `AELAB_FUZZ_SEED` rerun it.

mod common;
use aelab::data::Protocol;
use aelab::experiment::table::{config, names, Preset};
use aelab::rng::Rng;
use aelab::{modelfile, Config, Session};
use serde_json::{json, Value};

fn pick<T: Clone>(r: &mut Rng, v: &[T]) -> T {
    v[r.below(v.len())].clone()
}

fn layers(r: &mut Rng, last: Option<usize>) -> Value {
    let n = r.below(3) + usize::from(last.is_some());
    let mut v: Vec<Value> = (0..n)
        .map(|_| {
            let width = pick(
                r,
                &[
                    json!(1),
                    json!(3),
                    json!(16),
                    json!(64),
                    json!(0),
                    json!(4097),
                    json!(200000),
                    json!(-1),
                    json!("ten"),
                ],
            );
            let act = pick(
                r,
                &[
                    json!("relu"),
                    json!("sigmoid"),
                    json!("linear"),
                    json!("tanh"),
                    json!("swish"),
                    json!(3),
                ],
            );
            json!({ "width": width, "act": act })
        })
        .collect();
    if let (Some(w), Some(l)) = (last, v.last_mut()) {
        l["width"] = json!(w);
    }
    Value::Array(v)
}

/// A mutated reference config: 1–3 fields set to a random, often absurd, value.
fn case(r: &mut Rng) -> Value {
    let name = pick(r, &names().collect::<Vec<_>>());
    let preset = pick(r, &Preset::ALL);
    let mut c: Config = config(name, preset, Protocol::Browser).unwrap();
    c.ae_epochs = c.ae_epochs.min(1);
    c.sup_epochs = c.sup_epochs.min(1);
    let mut v = serde_json::to_value(&c).unwrap();
    for _ in 0..=r.below(3) {
        let (field, value) = match r.below(16) {
            0 => ("encoder", layers(r, None)),
            1 => ("decoder", layers(r, Some(784))),
            2 => (
                "head",
                if r.below(2) == 0 {
                    Value::Null
                } else {
                    layers(r, None)
                },
            ),
            3 => (
                "ae_epochs",
                pick(
                    r,
                    &[
                        json!(0),
                        json!(1),
                        json!(2),
                        json!(1001),
                        json!(1e9),
                        json!(-1),
                        json!("2"),
                    ],
                ),
            ),
            4 => (
                "sup_epochs",
                pick(
                    r,
                    &[json!(0), json!(1), json!(2), json!(100000), json!(1.5)],
                ),
            ),
            5 => (
                "batch",
                pick(
                    r,
                    &[
                        json!(1),
                        json!(7),
                        json!(32),
                        json!(0),
                        json!(900),
                        json!(5000),
                        json!(null),
                    ],
                ),
            ),
            6 => (
                "label_fraction",
                pick(
                    r,
                    &[
                        json!(0.01),
                        json!(0.5),
                        json!(1),
                        json!(0),
                        json!(2),
                        json!(-0.1),
                        json!("all"),
                    ],
                ),
            ),
            7 => (
                "optim",
                pick(
                    r,
                    &[
                        json!({"kind": "adam", "lr": 0.01}),
                        json!({"kind": "sgd", "lr": 0.1, "momentum": 0.9}),
                        json!({"kind": "adam", "lr": 0}),
                        json!({"kind": "adam", "lr": 1e9}),
                        json!({"kind": "rmsprop", "lr": 0.1}),
                        json!({"lr": "fast"}),
                    ],
                ),
            ),
            8 => (
                "denoise",
                pick(r, &[json!(0), json!(0.3), json!(-1), json!(1e6)]),
            ),
            9 => (
                "code_noise",
                pick(r, &[json!(0), json!(0.5), json!(-0.5), json!(true)]),
            ),
            10 => ("shift", pick(r, &[json!(0), json!(2), json!(9), json!(-2)])),
            11 => (
                "propagate",
                pick(r, &[json!(true), json!(false), json!("yes")]),
            ),
            12 => (
                "graph_weight",
                pick(r, &[json!(0), json!(0.2), json!(-3), json!(5000)]),
            ),
            13 => (
                "freeze_encoder",
                pick(r, &[json!(true), json!(false), json!(1)]),
            ),
            14 => (
                "seed",
                pick(
                    r,
                    &[json!(0), json!(4_000_000_000u64), json!(-5), json!(1e20)],
                ),
            ),
            _ => ("not_a_field", json!(1)),
        };
        v[field] = value;
    }
    v
}

fn finite(x: Option<f64>) -> bool {
    x.is_none_or(f64::is_finite)
}

#[test]
fn random_configs_are_refused_with_their_field_or_train_to_finite_figures() {
    let cases: usize = std::env::var("AELAB_FUZZ_CASES").map_or(300, |v| v.parse().unwrap());
    let seed: u64 = std::env::var("AELAB_FUZZ_SEED").map_or(12, |v| v.parse().unwrap());
    let mut r = Rng::new(seed);
    let mut s = Session::new(common::subset().range(0, 1000));
    let mut base = config("mnist_mlp_all", Preset::Best, Protocol::Browser).unwrap();
    base.sup_epochs = 1;
    s.start(&base).unwrap();
    s.finish(|_| {}).unwrap();
    let (mut refused, mut trained, mut diverged) = (0, 0, 0);
    for i in 0..cases {
        let v = case(&mut r);
        let model = modelfile::save(s.run().unwrap().model());
        let started = Config::parse(&v).and_then(|c| s.start(&c));
        match started {
            Err(e) => {
                refused += 1;
                let field = e.field.as_deref().unwrap_or_else(|| {
                    panic!(
                        "case {i}: refused without naming a field: {}\n{v}",
                        e.message
                    )
                });
                let top = field.split(['.', '[']).next().unwrap();
                assert!(
                    v.get(top).is_some(),
                    "case {i}: field {field:?} is not in the config: {}\n{v}",
                    e.message
                );
                assert_eq!(
                    modelfile::save(s.run().unwrap().model()),
                    model,
                    "case {i}: a refusal changed the model"
                );
            }
            Ok(()) => match s.finish(|_| {}) {
                Ok(()) => {
                    trained += 1;
                    let run = s.run().unwrap();
                    let res = run.results();
                    assert!(
                        finite(res.test_accuracy)
                            && finite(res.recon_mse)
                            && res.hash.as_ref().is_none_or(|h| h.map.is_finite()),
                        "case {i}: {res:?}\n{v}"
                    );
                    assert!(run.model().all_finite(), "case {i}\n{v}");
                }
                Err(e) => {
                    diverged += 1;
                    assert!(
                        e.message.contains("diverged"),
                        "case {i}: {}\n{v}",
                        e.message
                    );
                    assert!(s.run().unwrap().model().all_finite(), "case {i}\n{v}");
                    // Go on from a trained model, as after any other run.
                    s.start(&base).unwrap();
                    s.finish(|_| {}).unwrap();
                }
            },
        }
    }
    eprintln!("{cases} configs: {refused} refused, {trained} trained, {diverged} diverged");
    assert!(
        refused > cases / 4 && trained > cases / 10,
        "the mix is off: {refused} refused, {trained} trained"
    );
}

#[test]
fn a_wrongly_typed_or_unknown_field_is_named() {
    let mut v = serde_json::to_value(Config::default()).unwrap();
    v["batch"] = json!("big");
    let e = Config::parse(&v).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("batch"), "{}", e.message);
    let mut v = serde_json::to_value(Config::default()).unwrap();
    v["encoder"] = json!([{"width": 3, "act": "swish"}]);
    let e = Config::parse(&v).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("encoder[0].act"), "{}", e.message);
    let mut v = serde_json::to_value(Config::default()).unwrap();
    v["bacth"] = json!(3);
    let e = Config::parse(&v).unwrap_err();
    assert!(e.message.contains("bacth"), "{}", e.message);
    assert_eq!(e.field.as_deref(), Some("bacth"), "{}", e.message);
}
