//! The session and the staged run: stepping in slices equals one run, the
//! graph and input caches are reused exactly when the inputs match, a refused
//! start keeps the current model, a frozen encoder stays frozen, a finished
//! run did exactly its plan's units, and the queries on a finished model.

mod common;
use aelab::data::{Digits, Protocol};
use aelab::experiment::table::{config, Preset};
use aelab::train::Stage;
use aelab::{modelfile, Config, Results, Session, Trainer};

/// The first 1,000 digits: the browser protocol's 800 / 200, fast to train.
fn small() -> Digits {
    common::subset().range(0, 1000)
}

fn quick(name: &str, preset: Preset) -> Config {
    let mut c = config(name, preset, Protocol::Browser).unwrap();
    c.ae_epochs = c.ae_epochs.min(2);
    c.sup_epochs = c.sup_epochs.min(2);
    c
}

/// A run's figures without its times.
fn figures(r: &Results) -> Results {
    Results {
        seconds: 0.0,
        ae_seconds: 0.0,
        sup_seconds: 0.0,
        ..r.clone()
    }
}

fn trained(session: &mut Session, c: &Config) -> (Vec<u8>, Results) {
    session.start(c).unwrap();
    session.finish(|_| {}).unwrap();
    let run = session.run().unwrap();
    (modelfile::save(run.model()), figures(run.results()))
}

#[test]
fn stepping_in_single_units_equals_one_run() {
    let d = small();
    for (name, preset) in [
        ("mnist_auto_2", Preset::Best),
        ("mnist_mlp_1p", Preset::Best), // label propagation over the graph
        ("mnist_hash_2", Preset::Best), // graph term, ITQ, index, queries
    ] {
        let c = quick(name, preset);
        let mut whole = Trainer::new(&c, &d, None).unwrap();
        whole.run().unwrap();
        let mut sliced = Trainer::new(&c, &d, None).unwrap();
        let mut steps = 0;
        while !sliced.finished() {
            sliced.step(1, f64::INFINITY);
            steps += 1;
        }
        assert_eq!(steps, sliced.plan().total_units(), "{name}");
        assert_eq!(
            modelfile::save(sliced.model()),
            modelfile::save(whole.model()),
            "{name}: the models differ"
        );
        assert_eq!(
            figures(sliced.results()),
            figures(whole.results()),
            "{name}"
        );
        assert_eq!(sliced.log().len(), whole.log().len(), "{name}");
    }
}

#[test]
fn a_finished_run_did_exactly_its_plans_units() {
    let d = small();
    for name in aelab::experiment::table::names() {
        for preset in Preset::ALL {
            let c = quick(name, preset);
            let mut t = Trainer::new(&c, &d, None).unwrap();
            t.run().unwrap();
            assert_eq!(t.units_done(), t.plan().total_units(), "{name} {preset:?}");
            let mut p = t.step(1, 1.0);
            assert_eq!(p.fraction, 1.0, "{name} {preset:?}");
            p.log.clear();
        }
    }
}

/// Units of the current run's prepare stage: one when it reuses the
/// session's prepared inputs.
fn prepare_units(s: &Session) -> usize {
    let plan = s.run().unwrap().plan();
    assert_eq!(plan.stages[0].0, Stage::Prepare);
    plan.stages[0].1
}

#[test]
fn the_graph_and_the_inputs_are_reused_only_for_the_same_inputs() {
    let d = small();
    let c = quick("mnist_mlp_1p", Preset::Best);
    assert!(c.propagate && c.deskew);
    let mut fresh = Session::new(d.clone());
    let first = trained(&mut fresh, &c);
    assert!(fresh.run().unwrap().plan().contains(Stage::Graph));
    assert!(prepare_units(&fresh) > 1);
    // The same inputs: the second run skips the graph and the preparing, and
    // gets the same model.
    fresh.start(&c).unwrap();
    assert!(!fresh.run().unwrap().plan().contains(Stage::Graph));
    assert_eq!(prepare_units(&fresh), 1);
    fresh.finish(|_| {}).unwrap();
    let run = fresh.run().unwrap();
    assert_eq!(
        (modelfile::save(run.model()), figures(run.results())),
        first
    );
    // Other inputs: deskew off, raw pixels, another seed each build their own.
    for change in [
        (|c: &mut Config| c.deskew = false) as fn(&mut Config),
        |c| {
            c.scale = aelab::data::PixelScale::Raw;
            c.recon_loss = aelab::nn::loss::ReconLoss::Mse;
        },
        |c| c.seed += 1,
    ] {
        let mut other = c.clone();
        change(&mut other);
        let mut s = Session::new(d.clone());
        trained(&mut s, &c);
        s.start(&other).unwrap();
        assert!(
            s.run().unwrap().plan().contains(Stage::Graph),
            "{other:?} reused a graph of other inputs"
        );
        assert!(
            prepare_units(&s) > 1,
            "{other:?} reused inputs prepared otherwise"
        );
        // ...and its result is what a session without a cache gives.
        s.finish(|_| {}).unwrap();
        let got = figures(s.run().unwrap().results());
        let want = trained(&mut Session::new(d.clone()), &other).1;
        assert_eq!(got, want);
    }
    // Another model on the same split (Run all's case) takes the inputs, and
    // trains as it would from scratch; new data never takes them.
    let other = quick("mnist_auto_2", Preset::Best);
    let mut s = Session::new(d.clone());
    trained(&mut s, &c);
    let got = trained(&mut s, &other);
    s.start(&other).unwrap();
    assert_eq!(prepare_units(&s), 1);
    // A run not yet stepped, with its inputs to come: the views' queries get
    // no digits or a clear error, not a panic.
    let mut unprepared = Session::new(d.clone());
    unprepared.start(&other).unwrap();
    assert_eq!(unprepared.codes(10).unwrap(), Vec::<f32>::new());
    let e = unprepared.reconstruct(&[0]).unwrap_err().message;
    assert!(e.contains("there are 0"), "{e}");
    assert_eq!(got, trained(&mut Session::new(d.clone()), &other));
    s.set_data(d.clone());
    s.start(&other).unwrap();
    assert!(prepare_units(&s) > 1, "inputs of the old data reused");
}

#[test]
fn a_refused_start_keeps_the_current_run_and_model() {
    let d = small();
    let mut s = Session::new(d);
    let c = quick("mnist_mlp_all", Preset::Best);
    let (model, results) = trained(&mut s, &c);
    type Change = fn(&mut Config);
    let refusals: [(Change, &str); 6] = [
        (|c| c.batch = 0, "batch"),
        (|c| c.head.as_mut().unwrap()[0].width = 200_000, "head"),
        (
            |c| c.optim = aelab::nn::optim::OptimSpec::adam(f32::NAN),
            "optim.lr",
        ),
        (|c| c.sup_epochs = 1_000_000_000, "sup_epochs"),
        (|c| c.label_fraction = 2.0, "label_fraction"),
        (|c| c.batch = 900, "batch"), // more than the 800 training images
    ];
    for (change, field) in refusals {
        let mut bad = c.clone();
        change(&mut bad);
        let e = s.start(&bad).unwrap_err();
        assert_eq!(e.field.as_deref(), Some(field), "{}", e.message);
        let run = s.run().expect("the run is still there");
        assert_eq!(modelfile::save(run.model()), model, "{}", e.message);
        assert_eq!(figures(run.results()), results);
        assert!(s.analyse(&[0.5; 784], 0, 5).unwrap().predicted.is_some());
    }
}

#[test]
fn a_frozen_encoder_stays_bit_identical_through_the_supervised_phase() {
    let d = small();
    let c = quick("mnist_auto_fix", Preset::Best);
    assert!(c.freeze_encoder);
    let mut t = Trainer::new(&c, &d, None).unwrap();
    while t.phase() != aelab::Phase::Supervise {
        t.step(1, f64::INFINITY);
    }
    let before = t.model().encoder.clone().unwrap();
    let head_before = t.model().head.clone().unwrap();
    t.run().unwrap();
    let after = t.model().encoder.as_ref().unwrap();
    for (a, b) in before.layers.iter().zip(&after.layers) {
        assert_eq!((&a.w, &a.b), (&b.w, &b.b));
    }
    // ...while the head did train.
    assert_ne!(
        head_before.layers[0].w,
        t.model().head.as_ref().unwrap().layers[0].w
    );
}

#[test]
fn queries_on_a_finished_model() {
    let d = small();
    let mut s = Session::new(d);
    assert!(s
        .analyse(&[0.0; 784], 0, 5)
        .unwrap_err()
        .message
        .contains("no model"));
    trained(&mut s, &quick("mnist_hash_2", Preset::Best));
    // A test digit's lookup finds training digits in its own bucket first.
    let test = s.test_digit(3).unwrap();
    let pixels: Vec<f32> = test.iter().map(|&p| p as f32 / 255.0).collect();
    let a = s.analyse(&pixels, 0, 8).unwrap();
    let bits = a.bits.clone().expect("a hash model has a key");
    assert_eq!(bits.len(), 10);
    assert!(a.probs.is_none() && a.predicted.is_none());
    assert_eq!(a.reconstruction.as_ref().map(Vec::len), Some(784));
    let hits = s.search(3, 0, 8).unwrap();
    // The same digits (distances differ in the last bits: the page's pixels
    // take another path to the network's scale).
    let ids = |h: &[aelab::retrieval::hash::Hit]| h.iter().map(|h| h.index).collect::<Vec<_>>();
    assert_eq!(
        ids(&a.neighbours),
        ids(&hits),
        "analysing test digit 3 = searching for it"
    );
    assert!(hits.iter().all(|h| h.hamming == 0));
    let wider = s.search(3, 2, 1000).unwrap();
    assert!(wider.len() >= hits.len() && wider.iter().all(|h| h.hamming <= 2));
    assert!(wider.windows(2).all(|w| w[0].hamming <= w[1].hamming));
    let occ = s.occupancy(1000).unwrap();
    assert_eq!(occ.iter().map(|(_, n)| n).sum::<usize>(), 800);
    assert!(occ.windows(2).all(|w| w[0].1 >= w[1].1));
    assert!(occ.iter().all(|(k, _)| k.len() == 10));
    // The bucket of test digit 3 holds what the search found at radius 0.
    // Keys print the last unit first (bit i of the key is unit i).
    let key: String = bits.iter().rev().map(|b| b.to_string()).collect();
    let size = occ.iter().find(|(k, _)| *k == key).map_or(0, |(_, n)| *n);
    assert_eq!(hits.len(), size.min(8));
    // Bad queries are refused with a reason.
    assert!(s
        .analyse(&[0.0; 10], 0, 5)
        .unwrap_err()
        .message
        .contains("784"));
    assert!(s
        .analyse(&[f32::NAN; 784], 0, 5)
        .unwrap_err()
        .message
        .contains("finite"));
    assert!(s.search(200, 0, 5).unwrap_err().message.contains("200"));
    assert_eq!(s.codes(5).unwrap().len(), 50);
    assert_eq!(s.reconstruct(&[0, 1]).unwrap().len(), 2 * 784);
    // A classifier has no index.
    trained(&mut s, &quick("mnist_mlp_all", Preset::Best));
    assert!(s
        .occupancy(5)
        .unwrap_err()
        .message
        .contains("no hash index"));
    assert!(s.codes(5).unwrap_err().message.contains("no encoder"));
    let a = s.analyse(&pixels, 0, 8).unwrap();
    assert!(a.bits.is_none() && a.code.is_empty() && a.neighbours.is_empty());
    assert_eq!(a.probs.map(|p| p.len()), Some(10));
}
