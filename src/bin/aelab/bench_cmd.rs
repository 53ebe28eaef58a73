//! `aelab bench`: the bench page's workloads natively, then the reference's
//! heaviest run (best auto_2's autoencode phase on the book protocol), timed.

use super::cli::USAGE;
use aelab::data::{self, Protocol};
use aelab::experiment::table::{self, Preset};
use aelab::Trainer;
use std::path::PathBuf;

/// The reference's heaviest run, timed: best auto_2's autoencode phase.
pub fn bench(args: &[String]) -> Result<(), String> {
    let mut data = PathBuf::from("../shared/mnist");
    let mut subset = PathBuf::from("www/data/mnist-10k.bin");
    let mut phase_only = false;
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        if flag == "--phase" {
            phase_only = true;
            continue;
        }
        let value = it.next().ok_or(USAGE)?;
        match flag.as_str() {
            "--data" => data = PathBuf::from(value),
            "--subset" => subset = PathBuf::from(value),
            _ => return Err(USAGE.to_string()),
        }
    }
    if !phase_only {
        workloads(&subset)?;
    }
    let source = data::read_mnist_dir(&data, "train").map_err(|e| e.message)?;
    phase(&source, !phase_only)
}

/// The bench page's workloads natively: min and median of 3 runs each.
fn workloads(subset: &std::path::Path) -> Result<(), String> {
    let bytes = std::fs::read(subset)
        .map_err(|e| format!("{}: {e} (scripts/build.sh makes it)", subset.display()))?;
    let digits = data::parse_subset(&bytes).map_err(|e| e.message)?;
    println!("| workload | samples/s best | median | GFLOP/s | final |");
    println!("|---|---:|---:|---:|---|");
    for w in aelab::bench::WORKLOADS {
        let mut b = aelab::bench::Bench::new(w, &digits, 8000, 32, 1).map_err(|e| e.message)?;
        let units = if w == "w3" { 20 } else { 250 };
        let secs = times(&mut b, units);
        let samples = (units * b.samples_per_unit()) as f64;
        println!(
            "| {w} | {:.0} | {:.0} | {:.1} | {:.4} |",
            samples / secs[0],
            samples / secs[1],
            samples / secs[0] * b.flops_per_sample() / 1e9,
            b.evaluate()
        );
    }
    // Outside the table: the W2 step without its Adam update, and that update.
    for w in aelab::bench::PARTS {
        let mut b = aelab::bench::Bench::new(w, &digits, 8000, 32, 1).map_err(|e| e.message)?;
        let best = times(&mut b, 250)[0];
        println!(
            "{w}: {:.1} µs a W2 step (best of 3 × 250)",
            best / 250.0 * 1e6
        );
    }
    println!();
    Ok(())
}

/// Seconds of 3 runs of `units` units after one warm-up unit, fastest first.
fn times(b: &mut aelab::bench::Bench, units: usize) -> Vec<f64> {
    b.run(1);
    let mut secs: Vec<f64> = (0..3)
        .map(|_| {
            let t0 = std::time::Instant::now();
            b.run(units);
            t0.elapsed().as_secs_f64()
        })
        .collect();
    secs.sort_by(f64::total_cmp);
    secs
}

/// Best auto_2's autoencode phase, timed; then, with `side_by_side` on
/// AVX-512 or AVX2 hosts, the two sets of kernels taking turns.
fn phase(source: &data::Digits, side_by_side: bool) -> Result<(), String> {
    let mut c = table::config("mnist_auto_2", Preset::Best, Protocol::Book).expect("known model");
    c.propagate = false;
    let solo0 = aelab::linalg::par::cores::solo_steps();
    let (secs, t) = time_phase(&c, source)?;
    let solo = aelab::linalg::par::cores::solo_steps() - solo0;
    let n_train = t.split().train.len();
    let steps = c.ae_epochs * (n_train / c.batch);
    let samples = (steps * c.batch) as f64;
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
    println!(
        "steps on one core: {solo} of {steps} ({} a period of {} to {} steps to compare, more where two cores were the slower)",
        aelab::linalg::par::cores::PROBE,
        aelab::linalg::par::cores::PERIOD,
        aelab::linalg::par::cores::MAX_PERIOD
    );
    for line in t.log().iter().filter(|l| l.starts_with("Epoch 10")) {
        println!("{line}");
    }
    let (lanes, peak) = ceiling();
    println!(
        "multiply-add ceiling: {peak:.1} GFLOP/s ({lanes}-lane fused multiply-adds on registers, 12 chains, every core at once); the phase ran at {:.0}% of it",
        flops / secs / 1e9 / peak * 100.0
    );
    #[cfg(not(target_arch = "x86_64"))]
    let _ = side_by_side;
    #[cfg(target_arch = "x86_64")]
    if side_by_side && (aelab::linalg::wide::avx512() || aelab::linalg::wide::avx2()) {
        let wide = aelab::linalg::wide::name();
        // The host's speed drifts over seconds, so the two sets of kernels
        // take turns on short runs and each keeps its best.
        let short = aelab::Config {
            ae_epochs: 2,
            ..c.clone()
        };
        let mut best = [f64::INFINITY; 2];
        for round in 0..8 {
            let on = round % 2 == 0;
            aelab::linalg::wide::use_wide(on);
            let secs = time_phase(&short, source);
            aelab::linalg::wide::use_wide(true);
            best[on as usize] = best[on as usize].min(secs?.0);
        }
        println!(
            "the same phase, 2 epochs, the kernels taking turns (best of 4 each): {wide} {:.3} s, matrixmultiply and 4 lanes {:.3} s: {:.2}x",
            best[1],
            best[0],
            best[0] / best[1]
        );
    }
    Ok(())
}

/// The lanes of the widest multiply-adds the products use here, and their
/// GFLOP/s on every core at once (`bench::native_fma_peak`), best of 3.
fn ceiling() -> (usize, f64) {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let rounds = 25_000_000;
    let mut best = 0.0f64;
    let mut lanes = 4;
    for _ in 0..3 {
        let t0 = std::time::Instant::now();
        std::thread::scope(|s| {
            let runs: Vec<_> = (0..cores)
                .map(|_| s.spawn(|| aelab::bench::native_fma_peak(rounds)))
                .collect();
            for r in runs {
                let (l, sum) = r.join().expect("the ceiling loop does not panic");
                lanes = l;
                std::hint::black_box(sum);
            }
        });
        let flops = (cores * rounds * 12 * lanes * 2) as f64;
        best = best.max(flops / t0.elapsed().as_secs_f64() / 1e9);
    }
    (lanes, best)
}

/// The autoencode phase of config `c` from a fresh trainer, timed.
fn time_phase(c: &aelab::Config, source: &data::Digits) -> Result<(f64, Trainer), String> {
    let mut t = Trainer::new(c, source, None).map_err(|e| e.message)?;
    // One unit a call: a larger step would run on past the phase.
    while t.phase() != aelab::Phase::Autoencode {
        t.step(1, f64::INFINITY);
    }
    let t0 = std::time::Instant::now();
    while t.phase() == aelab::Phase::Autoencode {
        t.step(1, f64::INFINITY);
    }
    Ok((t0.elapsed().as_secs_f64(), t))
}
