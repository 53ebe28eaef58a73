use aelab::data;
use aelab::experiments::{config, Preset};
use aelab::hash::{Accumulator, HashIndex};
use aelab::Trainer;
use ndarray::Array2;
fn score(tr: &Array2<f32>, te: &Array2<f32>, t: &Trainer, balanced: bool) -> String {
    let idx = HashIndex::build(tr.clone(), t.split.train.labels.clone(), balanced);
    let mut acc = Accumulator::default();
    for i in 0..1000 {
        idx.score_query(te.row(i), t.split.test.labels[i], &mut acc);
    }
    let m = idx.metrics(&acc);
    format!(
        "buckets {} prec {:.3} p@10 {:.3} map {:.3}",
        m.buckets_used, m.bucket_precision, m.precision_at_10, m.map
    )
}
fn main() {
    let book = std::env::args().nth(1).is_some();
    let d = if book {
        data::read_mnist_dir(std::path::Path::new("../shared/mnist"), "train").unwrap()
    } else {
        data::parse_subset(&std::fs::read("www/data/mnist-10k.bin").unwrap()).unwrap()
    };
    let proto = if book {
        data::Protocol::Book
    } else {
        data::Protocol::Browser
    };
    for bits in [10usize, 32] {
        let mut c = config("mnist_hash_2", Preset::Best, proto).unwrap();
        c.encoder.last_mut().unwrap().width = bits;
        let mut t = Trainer::new(&c, &d).unwrap();
        t.run().unwrap();
        let xtr = t.split.train.features(c.scale, c.deskew);
        let ctr = t.model.code(xtr.view());
        let cte = t.model.code(t.x_test());
        println!("{bits} bits median: {}", score(&ctr, &cte, &t, true));
        let (mean, r) = aelab::itq::itq(&ctr, 50, 1);
        let rot = |c: &Array2<f32>| {
            let v = c.mapv(|x| x as f64) - &mean;
            v.dot(&r).mapv(|x| (x > 0.0) as u8 as f32 * 0.0 + x as f32)
        };
        let (rtr, rte) = (rot(&ctr), rot(&cte));
        let half = |m: &Array2<f32>| m.mapv(|x| x + 0.5);
        println!(
            "{bits} bits itq@0: {}",
            score(&half(&rtr), &half(&rte), &t, false)
        );
        println!("{bits} bits itq+median: {}", score(&rtr, &rte, &t, true));
    }
}
