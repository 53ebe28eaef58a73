//! `aelab run`: reference experiments natively, each row over one or more
//! seeds, independent runs in parallel on `--jobs` threads (each with its
//! own session, so each with its own graph cache; the figures are those of
//! one thread: a reused graph gives the results a built one does), and a
//! markdown table with mean ± sd.

use super::cli::USAGE;
use super::markdown::table_md;
use super::sweep::{Plan, Timing};
use aelab::data::{self, Digits, Protocol};
use aelab::experiment::table::{self, Kind, Preset};
use aelab::{Config, Results, Session};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

pub struct RunArgs {
    pub models: Vec<&'static str>,
    pub data: PathBuf,
    pub subset: PathBuf,
    pub protocol: Protocol,
    /// What the images are (`table::Kind`): the one per-data-set choice of
    /// the best recipe.
    pub kind: Kind,
    pub presets: Vec<Preset>,
    pub seed: u32,
    pub seeds: u32,
    pub jobs: usize,
    pub bits: Option<usize>,
    pub json: Option<PathBuf>,
    pub markdown: Option<PathBuf>,
    pub quiet: bool,
    /// `--set field=value` overrides of every job's config (JSON values),
    /// applied after the table's recipe: one ingredient changed on the CLI.
    pub set: Vec<(String, serde_json::Value)>,
}

pub fn parse(args: &[String], models_first: bool) -> Result<RunArgs, String> {
    let mut it = args.iter().peekable();
    let models: Vec<&'static str> = if !models_first {
        table::names().collect()
    } else {
        let which = it.next().ok_or(USAGE)?;
        if which == "all" {
            table::names().collect()
        } else {
            vec![
                table::find(which)
                    .ok_or_else(|| format!("unknown model {which}; `aelab list` shows them"))?
                    .name,
            ]
        }
    };
    let mut r = RunArgs {
        models,
        data: PathBuf::from("../shared/mnist"),
        subset: PathBuf::from("www/data/mnist-10k.bin"),
        protocol: Protocol::Book,
        kind: Kind::Digits,
        presets: Preset::ALL.to_vec(),
        seed: 1,
        seeds: 1,
        jobs: std::thread::available_parallelism().map_or(1, |n| n.get()),
        bits: None,
        json: None,
        markdown: None,
        quiet: false,
        set: Vec::new(),
    };
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        let number = |v: &str| -> Result<usize, String> {
            v.parse::<usize>().map_err(|e| format!("{flag} {v}: {e}"))
        };
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
            "--kind" => {
                r.kind = value()?
                    .parse()
                    .map_err(|e: aelab::Error| format!("--kind: {e}"))?
            }
            "--preset" => {
                r.presets = match value()?.as_str() {
                    "both" => Preset::ALL.to_vec(),
                    v => vec![v
                        .parse()
                        .map_err(|e: aelab::Error| format!("--preset: {e} (or \"both\")"))?],
                }
            }
            "--seed" => r.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--seeds" => match number(value()?)? {
                n @ 1..=100 => r.seeds = n as u32,
                n => return Err(format!("--seeds {n}: expected 1 to 100")),
            },
            "--jobs" => match number(value()?)? {
                n @ 1..=256 => r.jobs = n,
                n => return Err(format!("--jobs {n}: expected 1 to 256")),
            },
            "--bits" => r.bits = Some(number(value()?)?),
            "--json" => r.json = Some(value()?.into()),
            "--markdown" => r.markdown = Some(value()?.into()),
            "--quiet" => r.quiet = true,
            "--set" => r.set.push(parse_set(value()?)?),
            f => return Err(format!("unknown option {f}\n{USAGE}")),
        }
    }
    Ok(r)
}

/// `field=value`: the value as JSON, or as a string where it is not JSON
/// (`--set deskew=false`, `--set optim.lr=0.005`, `--set name=x`).
fn parse_set(arg: &str) -> Result<(String, serde_json::Value), String> {
    let (field, value) = arg
        .split_once('=')
        .ok_or_else(|| format!("--set {arg}: expected field=value"))?;
    let value = serde_json::from_str(value).unwrap_or_else(|_| value.into());
    Ok((field.to_string(), value))
}

/// Applies `--set` overrides to a config; a field it lacks, a value of the
/// wrong type or out of range is refused with the field's name.
pub fn apply_set(config: &Config, set: &[(String, serde_json::Value)]) -> Result<Config, String> {
    if set.is_empty() {
        return Ok(config.clone());
    }
    let mut v = serde_json::to_value(config).map_err(|e| e.to_string())?;
    for (field, value) in set {
        let mut at = &mut v;
        for key in field.split('.') {
            at = at
                .get_mut(key)
                .ok_or_else(|| format!("--set {field}: the config has no field {key:?}"))?;
        }
        *at = value.clone();
    }
    let c: Config = serde_path_to_error::deserialize(v)
        .map_err(|e| format!("--set: {}: {}", e.path(), e.inner()))?;
    c.validate().map_err(|e| format!("--set: {e}"))?;
    Ok(c)
}

pub fn load(r: &RunArgs) -> Result<Digits, String> {
    match r.protocol {
        Protocol::Book => data::read_mnist_dir(&r.data, "train").map_err(|e| e.message),
        Protocol::Browser => {
            let bytes = std::fs::read(&r.subset)
                .map_err(|e| format!("{}: {e} (run scripts/build.sh first)", r.subset.display()))?;
            data::parse_subset(&bytes).map_err(|e| e.message)
        }
    }
}

/// Where a table came from: "`aelab …` (book protocol, data DIR, seeds 1..5)".
pub fn provenance(r: &RunArgs) -> String {
    let command: Vec<String> = std::env::args().skip(1).collect();
    let data = match r.protocol {
        Protocol::Book => r.data.display(),
        Protocol::Browser => r.subset.display(),
    };
    let kind = match r.kind {
        Kind::Digits => "digits",
        Kind::Other => "not digits: no deskewing",
    };
    format!(
        "`aelab {}` ({} protocol, data {data}, {kind}, seeds {}..{})",
        command.join(" "),
        protocol_name(r.protocol),
        r.seed,
        r.seed + r.seeds - 1
    )
}

pub fn write_text(path: &std::path::Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

pub fn protocol_name(p: Protocol) -> &'static str {
    match p {
        Protocol::Book => "book",
        Protocol::Browser => "browser",
    }
}

/// One run to do: the table cell it counts in (row, column) and its config.
#[derive(Clone)]
pub struct Job {
    pub row: String,
    pub col: String,
    pub config: Config,
}

fn jobs(r: &RunArgs) -> Result<Vec<Job>, String> {
    let mut v = Vec::new();
    for &name in &r.models {
        for &preset in &r.presets {
            for s in 0..r.seeds {
                let config =
                    table::config_for(name, preset, r.protocol, r.kind).expect("known model");
                let mut config = apply_set(&config, &r.set)?;
                config.seed = r.seed + s;
                if let (Some(bits), true) = (r.bits, config.is_hash()) {
                    if let Some(code) = config.encoder.last_mut() {
                        code.width = bits;
                    }
                }
                v.push(Job {
                    row: name.into(),
                    col: preset.name().into(),
                    config,
                });
            }
        }
    }
    Ok(v)
}

/// Runs every job on `threads` threads; results in job order.
pub fn run_all(
    jobs: &[Job],
    source: &Digits,
    threads: usize,
    quiet: bool,
) -> Result<Vec<Results>, String> {
    let next = AtomicUsize::new(0);
    // Runs on the same training inputs one after another, so each thread's
    // session reuses the k-NN graph it built (the figures do not depend on
    // the order: a reused graph gives what a built one does).
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    order.sort_by_key(|&i| {
        let c = &jobs[i].config;
        (c.seed, c.deskew, c.scale == aelab::data::PixelScale::Raw)
    });
    let out: Mutex<Vec<Option<Result<Results, String>>>> = Mutex::new(vec![None; jobs.len()]);
    std::thread::scope(|scope| {
        for _ in 0..threads.min(jobs.len()).max(1) {
            scope.spawn(|| {
                let mut session = Session::new(source.clone());
                while let Some(&i) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let job = &jobs[i];
                    let mut log = Vec::new();
                    let done = session
                        .start(&job.config)
                        .and_then(|()| session.finish(|p| log.extend(p.log.iter().cloned())))
                        .map_err(|e| format!("{} seed {}: {e}", job.row, job.config.seed))
                        .and_then(|()| {
                            session
                                .run()
                                .map(|t| t.results().clone())
                                .map_err(|e| e.message)
                        });
                    if !quiet {
                        let head =
                            format!("== {} ({}, seed {})", job.row, job.col, job.config.seed);
                        println!("{head}\n{}", log.join("\n"));
                    }
                    out.lock().expect("no thread panics holding it")[i] = Some(done);
                }
            });
        }
    });
    out.into_inner()
        .expect("threads joined")
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err("a run did not happen".into())))
        .collect()
}

/// `aelab run`'s sweep: every row × preset × seed, then the table.
pub fn plan(args: &[String]) -> Result<Plan, String> {
    let r = parse(args, true)?;
    let source = load(&r)?;
    let jobs = jobs(&r)?;
    Ok(Plan {
        r,
        source,
        jobs,
        report: Box::new(report),
    })
}

fn report(r: &RunArgs, jobs: &[Job], results: &[Results], timing: &Timing) -> Result<(), String> {
    let rows: Vec<(String, String)> = r
        .models
        .iter()
        .map(|&name| {
            let e = table::find(name).expect("known");
            let reference = e
                .reference_accuracy
                .map_or("–".into(), |a| format!("{:.1}%", a * 100.0));
            (name.to_string(), format!("{reference} | "))
        })
        .collect();
    let cols: Vec<String> = r.presets.iter().map(|p| p.name().to_string()).collect();
    let table = table_md("model | reference", &rows, &cols, jobs, results);
    println!("\n{table}");
    eprintln!("{} runs, {timing}", jobs.len());
    if let Some(path) = &r.markdown {
        let text = format!(
            "Measured by {} (mean ± sd over seeds). Accuracy on the test part; for hash models, \
             same-label precision inside the query's bucket, mAP over the full ranking of the \
             training part (1,000 test queries) and the number of buckets used. Reconstruction: \
             per-pixel MSE on the 0..1 scale of the autoencoder on the test part. {} runs, \
             {timing}.\n\n{table}",
            provenance(r),
            jobs.len(),
        );
        write_text(path, &text)?;
    }
    if let Some(path) = &r.json {
        let rows: Vec<_> = jobs
            .iter()
            .zip(results)
            .map(|(j, res)| {
                serde_json::json!({
                    "model": j.row,
                    "preset": j.col,
                    "protocol": protocol_name(r.protocol),
                    "seed": j.config.seed,
                    "test_accuracy": res.test_accuracy,
                    "recon_mse": res.recon_mse,
                    "psnr": res.psnr,
                    "hash": res.hash,
                    "seconds": res.seconds,
                    "labelled": res.labelled,
                    "deskew": j.config.deskew,
                    "propagate": j.config.propagate,
                    "config": j.config,
                })
            })
            .collect();
        std::fs::write(path, serde_json::to_string_pretty(&rows).expect("json"))
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}
