//! `aelab ladder`: the ablation ladder (`aelab::experiment::ladder`) for the
//! 1% rows without and with autoencoder pre-training (mlp_1p, auto_2) and
//! for semantic hashing (hash_2), every rung over seeds.

use crate::markdown::table_md;
use crate::run_cmd::{load, parse, provenance, write_text, Job, RunArgs};
use crate::sweep::{Plan, Timing};
use aelab::experiment::ladder::ladder;
use aelab::Results;

const ROWS: [&str; 3] = ["mnist_mlp_1p", "mnist_auto_2", "mnist_hash_2"];

/// The ladder's sweep: every rung of the three rows × seeds.
pub fn plan(args: &[String]) -> Result<Plan, String> {
    let r = parse(args, false)?;
    let source = load(&r)?;
    let mut jobs = Vec::new();
    let mut rungs: Vec<String> = Vec::new();
    for model in ROWS {
        let steps = ladder(model, r.protocol, r.kind).expect("a reference row");
        for (i, (name, config)) in steps.into_iter().enumerate() {
            // Classifier and hash ladders share their first rung's name only.
            let row = if i == 0 {
                name.to_string()
            } else {
                format!("{}{name}", if config.is_hash() { "hash: " } else { "" })
            };
            if !rungs.contains(&row) {
                rungs.push(row.clone());
            }
            for s in 0..r.seeds {
                let mut c = config.clone();
                c.seed = r.seed + s;
                jobs.push(Job {
                    row: row.clone(),
                    col: model.to_string(),
                    config: c,
                });
            }
        }
    }
    let rows: Vec<(String, String)> = rungs.into_iter().map(|n| (n, String::new())).collect();
    Ok(Plan {
        r,
        source,
        jobs,
        report: Box::new(move |r, jobs, results, timing| report(r, &rows, jobs, results, timing)),
    })
}

fn report(
    r: &RunArgs,
    rows: &[(String, String)],
    jobs: &[Job],
    results: &[Results],
    timing: &Timing,
) -> Result<(), String> {
    let cols: Vec<String> = ROWS.iter().map(|s| s.to_string()).collect();
    let table = table_md("rung (cumulative)", rows, &cols, jobs, results);
    println!("\n{table}");
    eprintln!("{} runs, {timing}", jobs.len());
    if let Some(path) = &r.markdown {
        let text = format!(
            "The ablation ladder by {} (mean ± sd): each rung adds one ingredient to the one above it, from the reference's recipe to `best`. mlp_1p has no autoencoder; auto_2 pre-trains one on every training image; hash_2 is the hash row. {} runs, {timing}.\n\n{table}",
            provenance(r),
            jobs.len()
        );
        write_text(path, &text)?;
    }
    Ok(())
}
