use aelab::activation::Activation::{Linear, Tanh};
use aelab::data;
use aelab::experiments::{config, Preset};
use aelab::Trainer;
fn main() {
    let d = data::parse_subset(&std::fs::read("www/data/mnist-10k.bin").unwrap()).unwrap();
    let mut graph = None;
    for (model, gw, act) in [
        ("mnist_hash_2", 0.0, Linear),
        ("mnist_hash_2", 0.2, Linear),
        ("mnist_hash_2", 1.0, Linear),
        ("mnist_hash_2", 0.0, Tanh),
        ("mnist_hash_2", 1.0, Tanh),
        ("mnist_hash_2", 5.0, Tanh),
    ] {
        let mut c = config(model, Preset::Best, data::Protocol::Browser).unwrap();
        c.code_noise = 0.0;
        c.encoder.last_mut().unwrap().act = act;
        c.balanced_bits = true;
        c.graph_weight = gw;
        let mut t = Trainer::new(&c, &d).unwrap();
        if let (Some(g), true) = (&graph, gw > 0.0) {
            t.reuse_graph(std::sync::Arc::clone(g)).unwrap();
        }
        t.run().unwrap();
        if graph.is_none() {
            graph = t.graph();
        }
        let h = t.results.hash.clone().unwrap();
        println!("{model} gw {gw} {act:?}: buckets {} largest {} prec {:.3} p@10 {:.3} map {:.3} mse {:.4} {:.1}s", h.buckets_used, h.largest_bucket, h.bucket_precision, h.precision_at_10, h.map, t.results.recon_mse.unwrap(), t.results.seconds);
    }
}
