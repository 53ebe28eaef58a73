//! The markdown tables `aelab run` and `aelab ladder` print: rows × columns
//! of runs, each cell the mean ± sd over its seeds, then the cells'
//! reconstruction MSE and time per run.

use crate::run_cmd::Job;
use aelab::baseline::mean_sd;
use aelab::Results;

/// A figure over seeds: "m%" or "m ± sd %".
fn spread(v: &[f64], percent: bool) -> String {
    let k = if percent { 100.0 } else { 1.0 };
    let (m, sd) = mean_sd(v);
    match (v.len(), percent) {
        (1, true) => format!("{:.1}%", m * k),
        (1, false) => format!("{m:.3}"),
        (_, true) => format!("{:.1} ± {:.1}%", m * k, sd * k),
        (_, false) => format!("{m:.3} ± {sd:.3}"),
    }
}

/// The figure a row is judged by: accuracy for classifiers, bucket precision
/// for hash models; with the mAP and buckets for those.
fn figure(runs: &[&Results]) -> String {
    if runs.is_empty() {
        return "–".into();
    }
    if runs.iter().all(|r| r.test_accuracy.is_some()) {
        let acc: Vec<f64> = runs.iter().filter_map(|r| r.test_accuracy).collect();
        return spread(&acc, true);
    }
    let hash: Vec<_> = runs.iter().filter_map(|r| r.hash.as_ref()).collect();
    if hash.len() != runs.len() || hash.is_empty() {
        return "–".into();
    }
    let prec: Vec<f64> = hash.iter().map(|h| h.bucket_precision).collect();
    let map: Vec<f64> = hash.iter().map(|h| h.map).collect();
    let buckets: Vec<f64> = hash.iter().map(|h| h.buckets_used as f64).collect();
    format!(
        "bucket prec {}, mAP {}, {:.0} buckets",
        spread(&prec, false),
        spread(&map, false),
        mean_sd(&buckets).0
    )
}

/// The markdown table of `rows` × `cols`, mean ± sd over the jobs of each
/// cell, then the cells' recon MSE and time. Each row carries the text of
/// its leading columns (`head` names them).
pub fn table_md(
    head: &str,
    rows: &[(String, String)],
    cols: &[String],
    jobs: &[Job],
    results: &[Results],
) -> String {
    use std::fmt::Write as _;
    let mut t = format!("| {head} | ");
    for c in cols {
        let _ = write!(t, "{c} | ");
    }
    t.push_str("recon MSE (0..1, network input) | time per run |\n");
    let lead = head.matches('|').count() + 1;
    let _ = writeln!(t, "|{}", "---|".repeat(lead + cols.len() + 2));
    for (row, lead) in rows {
        let _ = write!(t, "| {row} | {lead}");
        let (mut mse, mut time) = (Vec::new(), Vec::new());
        for col in cols {
            let runs: Vec<&Results> = jobs
                .iter()
                .zip(results)
                .filter(|(j, _)| &j.row == row && &j.col == col)
                .map(|(_, res)| res)
                .collect();
            let _ = write!(t, "{} | ", figure(&runs));
            let m: Vec<f64> = runs.iter().filter_map(|r| r.recon_mse).collect();
            mse.push(if m.is_empty() {
                "–".into()
            } else {
                format!("{:.4}", mean_sd(&m).0)
            });
            let s: Vec<f64> = runs.iter().map(|r| r.seconds).collect();
            time.push(if s.is_empty() {
                "–".into()
            } else {
                format!("{:.1} s", mean_sd(&s).0)
            });
        }
        let _ = writeln!(t, "{} | {} |", mse.join(" / "), time.join(" / "));
    }
    t
}
