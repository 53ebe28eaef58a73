use aelab::data;
use aelab::experiments::{config, names, Preset};
use aelab::Trainer;
fn main() {
    let d = data::parse_subset(&std::fs::read("www/data/mnist-10k.bin").unwrap()).unwrap();
    for m in names() {
        let c = config(m, Preset::Best, data::Protocol::Browser).unwrap();
        let t0 = std::time::Instant::now();
        let mut t = Trainer::new(&c, &d).unwrap();
        let new = t0.elapsed().as_secs_f64() * 1000.0;
        let mut worst = (0.0, String::new());
        while !t.finished() {
            let t1 = std::time::Instant::now();
            let p = t.step(1, 1.0);
            let dt = t1.elapsed().as_secs_f64() * 1000.0;
            if dt > worst.0 {
                worst = (dt, format!("{:?} e{} b{}", p.phase, p.epoch, p.batch));
            }
        }
        println!(
            "{m}: new {new:.1} ms, worst unit {:.1} ms at {}",
            worst.0, worst.1
        );
    }
}
