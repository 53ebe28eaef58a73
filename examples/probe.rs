use aelab::data;
use aelab::experiments::{config, Preset};
use aelab::Trainer;
fn main() {
    let d = data::parse_subset(&std::fs::read("www/data/mnist-10k.bin").unwrap()).unwrap();
    for (noise, lr, epochs, model) in [
        (0.0, 0.002, 10, "mnist_hash_2"),
        (1.0, 0.002, 10, "mnist_hash_2"),
        (2.0, 0.002, 10, "mnist_hash_2"),
        (4.0, 0.002, 10, "mnist_hash_2"),
        (2.0, 0.005, 10, "mnist_hash_2"),
        (2.0, 0.002, 10, "mnist_hash_1"),
    ] {
        let mut c = config(model, Preset::Best, data::Protocol::Browser).unwrap();
        c.code_noise = noise;
        c.optim = aelab::optim::OptimSpec::adam(lr);
        c.ae_epochs = epochs;
        let mut t = Trainer::new(&c, &d).unwrap();
        t.run().ok();
        let h = t.results.hash.clone().unwrap();
        println!("{model} noise {noise} lr {lr} ep {epochs}: buckets {} largest {} prec {:.3} p@10 {:.3} map {:.3} mse {:.4}", h.buckets_used, h.largest_bucket, h.bucket_precision, h.precision_at_10, h.map, t.results.recon_mse.unwrap());
    }
}
