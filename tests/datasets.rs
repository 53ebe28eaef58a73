//! The data sets beyond the page's MNIST: Fashion-MNIST's IDX files (Debian's
//! dataset-fashion-mnist, which scripts/setup.sh installs; `AELAB_FASHION_DIR`
//! points elsewhere), the page's subset of them, a person's own IDX files,
//! and a session switching data without reusing a graph of other images.

mod common;
use aelab::data::{self, Digits, Protocol, CLASSES, MAX_IMAGES, MIN_IMAGES, PIXELS};
use aelab::experiment::table::{config, Preset};
use aelab::train::Stage;
use aelab::Session;

fn fashion_dir() -> std::path::PathBuf {
    std::env::var_os("AELAB_FASHION_DIR")
        .map_or_else(|| "/usr/share/datasets/fashion-mnist".into(), Into::into)
}

fn fashion(prefix: &str) -> Digits {
    data::read_mnist_dir(&fashion_dir(), prefix)
        .expect("Fashion-MNIST's IDX files (scripts/setup.sh installs dataset-fashion-mnist)")
}

use data::encode_idx as idx;

#[test]
fn the_idx_reader_reads_fashion_mnist() {
    let (train, test) = (fashion("train"), fashion("t10k"));
    assert_eq!((train.len(), test.len()), (60_000, 10_000));
    assert_eq!(train.pixels.len(), 60_000 * PIXELS);
    for d in [&train, &test] {
        let mut per = [0usize; CLASSES];
        for &l in &d.labels {
            per[l as usize] += 1;
        }
        // Fashion-MNIST is balanced: 6,000 / 1,000 of each class.
        assert_eq!(per, [d.len() / CLASSES; CLASSES]);
    }
    // Garments are not digits: far more ink than MNIST's ~19% per image.
    let ink = train.pixels.iter().filter(|&&p| p > 64).count() as f64 / train.pixels.len() as f64;
    let mnist = common::subset();
    let mnist_ink =
        mnist.pixels.iter().filter(|&&p| p > 64).count() as f64 / mnist.pixels.len() as f64;
    assert!(
        ink > 1.5 * mnist_ink,
        "ink {ink:.3} vs MNIST {mnist_ink:.3}"
    );
}

#[test]
fn the_subset_is_the_first_images_shuffled_once() {
    let train = fashion("train");
    let s = data::subset_of(&train, 10_000);
    assert_eq!(s.len(), 10_000);
    // Every image of the subset is one of the first 10,000, with its label.
    let mut want: Vec<(&[u8], u8)> = (0..10_000)
        .map(|i| (train.image(i), train.labels[i]))
        .collect();
    let mut got: Vec<(&[u8], u8)> = (0..10_000).map(|i| (s.image(i), s.labels[i])).collect();
    assert_ne!(got, want, "shuffled");
    want.sort();
    got.sort();
    assert_eq!(got, want);
    // The build's file is exactly this.
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("www/data/fashion-10k.bin");
    let built =
        data::parse_subset(&std::fs::read(file).expect("scripts/build.sh makes it")).unwrap();
    assert_eq!(built, s);
}

#[test]
fn own_idx_files_are_sized_checked_and_mixed() {
    let d = common::subset().range(0, 600);
    let own = data::own_idx(&idx(&[600, 28, 28], &d.pixels), &idx(&[600], &d.labels)).unwrap();
    assert_eq!(own.len(), 600);
    assert_eq!(own, data::subset_of(&d, 600));
    let small = common::subset().range(0, MIN_IMAGES - 1);
    let n = small.len() as u32;
    let e =
        data::own_idx(&idx(&[n, 28, 28], &small.pixels), &idx(&[n], &small.labels)).unwrap_err();
    assert!(e.message.contains("at least 100"), "{}", e.message);
    let big = fashion("train").range(0, MAX_IMAGES + 1);
    let n = big.len() as u32;
    let e = data::own_idx(&idx(&[n, 28, 28], &big.pixels), &idx(&[n], &big.labels)).unwrap_err();
    assert!(e.message.contains("at most 20000"), "{}", e.message);
    // Damage is refused by the reader with its reason.
    let e = data::own_idx(
        &idx(&[600, 28, 28], &d.pixels),
        &idx(&[599], &d.labels[..599]),
    )
    .unwrap_err();
    assert!(e.message.contains("600 images"), "{}", e.message);
}

#[test]
fn new_data_trains_and_never_reuses_a_graph_of_other_images() {
    let mut s = Session::new(common::subset());
    let mut c = config("mnist_mlp_1p", Preset::Best, Protocol::Browser).unwrap();
    c.sup_epochs = 1;
    s.start(&c).unwrap();
    s.finish(|_| {}).unwrap();
    let mnist_model = aelab::modelfile::save(s.run().unwrap().model());
    s.set_data(data::subset_of(&fashion("train"), 10_000));
    // The finished run and its model stay until the next start.
    assert_eq!(
        aelab::modelfile::save(s.run().unwrap().model()),
        mnist_model
    );
    s.start(&c).unwrap();
    assert!(
        s.run().unwrap().plan().contains(Stage::Graph),
        "reused MNIST's graph"
    );
    let all = config("mnist_mlp_all", Preset::Best, Protocol::Browser).unwrap();
    s.start(&all).unwrap();
    s.finish(|_| {}).unwrap();
    let acc = s.run().unwrap().results().test_accuracy.unwrap();
    // A 10-unit MLP on 8,000 Fashion images: well above chance (10%).
    assert!(acc > 0.78, "Fashion-MNIST test accuracy {acc}");
}
