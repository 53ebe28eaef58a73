use aelab::data;
use aelab::experiments::{config, Preset};
use aelab::Trainer;
fn main() {
    let d = data::read_mnist_dir(std::path::Path::new("../shared/mnist"), "train").unwrap();
    for (batch, lr) in [(32, 0.002), (128, 0.004)] {
        let mut c = config("mnist_auto_2", Preset::Best, data::Protocol::Book).unwrap();
        c.batch = batch;
        c.optim = aelab::optim::OptimSpec::adam(lr);
        c.propagate = false;
        c.sup_epochs = 1;
        let mut t = Trainer::new(&c, &d).unwrap();
        while t.phase() != aelab::Phase::Autoencode {
            t.step(1000, 1e9);
        }
        let t0 = std::time::Instant::now();
        while t.phase() == aelab::Phase::Autoencode {
            t.step(1000, 1e9);
        }
        let secs = t0.elapsed().as_secs_f64();
        let line = t
            .log()
            .iter()
            .rev()
            .find(|l| l.starts_with("Epoch 10"))
            .cloned()
            .unwrap();
        println!("batch {batch} lr {lr}: {secs:.1} s | {line}");
    }
}
