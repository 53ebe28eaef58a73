//! Absurd hyper-parameters and out-of-order calls get a clear error naming
//! what is wrong, never a panic or a model poisoned with NaN.

mod common;
use aelab::data::Protocol;
use aelab::experiment::table::{config, Preset};
use aelab::nn::activation::Activation::{Linear, Relu, Sigmoid};
use aelab::nn::net::LayerSpec;
use aelab::nn::optim::OptimSpec;
use aelab::{Config, Trainer};

fn l(width: usize, act: aelab::nn::activation::Activation) -> LayerSpec {
    LayerSpec { width, act }
}

fn base() -> Config {
    config("mnist_auto_2", Preset::Best, Protocol::Browser).unwrap()
}

#[test]
fn absurd_settings_are_refused_with_a_reason() {
    type Change = Box<dyn Fn(&mut Config)>;
    let cases: Vec<(&str, Change)> = vec![
        (
            "learning rate NaN",
            Box::new(|c| c.optim = OptimSpec::adam(f32::NAN)),
        ),
        (
            "learning rate inf",
            Box::new(|c| c.optim = OptimSpec::adam(f32::INFINITY)),
        ),
        (
            "learning rate 0",
            Box::new(|c| c.optim = OptimSpec::adam(0.0)),
        ),
        (
            "learning rate -1",
            Box::new(|c| c.optim = OptimSpec::adam(-1.0)),
        ),
        (
            "learning rate 1000000000",
            Box::new(|c| c.optim = OptimSpec::adam(1e9)),
        ),
        ("batch size 0", Box::new(|c| c.batch = 0)),
        ("batch size 1000000", Box::new(|c| c.batch = 1_000_000)),
        ("epochs", Box::new(|c| c.ae_epochs = 1_000_000)),
        (
            "nothing to train",
            Box::new(|c| {
                c.ae_epochs = 0;
                c.sup_epochs = 0;
            }),
        ),
        ("label fraction 0", Box::new(|c| c.label_fraction = 0.0)),
        ("label fraction 1.5", Box::new(|c| c.label_fraction = 1.5)),
        (
            "label fraction NaN",
            Box::new(|c| c.label_fraction = f64::NAN),
        ),
        ("width 0", Box::new(|c| c.encoder[1].width = 0)),
        ("width 100000", Box::new(|c| c.encoder[0].width = 100_000)),
        (
            "decoder's last layer has width 10",
            Box::new(|c| c.decoder = vec![l(10, Relu)]),
        ),
        (
            "a decoder needs an encoder",
            Box::new(|c| c.encoder = vec![]),
        ),
        (
            "binary cross-entropy needs a sigmoid",
            Box::new(|c| c.decoder = vec![l(64, Relu), l(784, Linear)]),
        ),
        ("denoising noise = -1", Box::new(|c| c.denoise = -1.0)),
        ("code noise = NaN", Box::new(|c| c.code_noise = f32::NAN)),
        ("weight decay = 5", Box::new(|c| c.weight_decay = 5.0)),
        ("shift 20", Box::new(|c| c.shift = 20)),
        ("report_every", Box::new(|c| c.report_every = 0)),
        (
            "65 bits",
            Box::new(|c| {
                c.head = None;
                c.propagate = false;
                c.encoder = vec![l(65, Sigmoid)];
            }),
        ),
        (
            "neither a decoder nor a classifier",
            Box::new(|c| {
                c.decoder = vec![];
                c.head = None;
                c.propagate = false;
            }),
        ),
    ];
    let digits = common::subset();
    let mut wrong = Vec::new();
    for (want, change) in cases {
        let mut c = base();
        change(&mut c);
        match Trainer::new(&c, &digits, None) {
            Ok(_) => wrong.push(format!("accepted a config that should fail with {want:?}")),
            Err(e) if !e.message.to_lowercase().contains(&want.to_lowercase()) => {
                wrong.push(format!("{want:?}: got {:?}", e.message))
            }
            Err(_) => {}
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn a_batch_larger_than_the_data_is_refused() {
    let mut d = common::subset();
    d.labels.truncate(200);
    d.pixels.truncate(200 * 784);
    let mut c = base();
    c.batch = 500;
    let e = Trainer::new(&c, &d, None).err().unwrap().message;
    assert!(
        e.contains("batch size 500 is larger than the 160 training images"),
        "{e}"
    );
}

#[test]
fn stepping_a_finished_run_is_harmless() {
    let mut c = config("mnist_mlp_all", Preset::Best, Protocol::Browser).unwrap();
    c.sup_epochs = 1;
    let mut t = Trainer::new(&c, &common::subset(), None).unwrap();
    let r = t.run().unwrap().clone();
    let p = t.step(10, 1.0);
    assert_eq!(p.fraction, 1.0);
    assert_eq!(t.results(), &r);
}
