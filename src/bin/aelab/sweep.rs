//! A sweep: the (row × seed) jobs of `aelab run`, `ladder` or `curve`, run
//! here in one go, or as the K-th of N shards on as many machines
//! (`--shard K/N --out FILE`), which `aelab merge` joins into the tables one
//! run would have printed. A shard takes every N-th job from the K-th, so
//! each row's seeds spread over the shards and a slow row does not land on
//! one machine. The shard file keeps the command's own arguments; merge plans
//! the sweep again from them and checks every job against the file before it
//! uses a figure, so shards of another command, version or data are refused.

use crate::run_cmd::{run_all, Job, RunArgs};
use aelab::data::Digits;
use aelab::Results;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// What a sweep's report prints after "N runs, …": its time.
pub struct Timing {
    pub wall: f64,
    pub threads: usize,
    /// How many shards the figures were merged from (0: one run).
    pub shards: usize,
}

impl std::fmt::Display for Timing {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self.shards {
            0 => write!(f, "{:.0} s on {} threads", self.wall, self.threads),
            n => write!(f, "{:.0} s of wall time summed over {n} shards", self.wall),
        }
    }
}

/// A planned sweep: its arguments, data, jobs, and how its figures become
/// tables (stdout, `--markdown`, `--json`, `--svg`).
pub struct Plan {
    pub r: RunArgs,
    pub source: Digits,
    pub jobs: Vec<Job>,
    #[allow(clippy::type_complexity)]
    pub report: Box<dyn Fn(&RunArgs, &[Job], &[Results], &Timing) -> Result<(), String>>,
}

type Planner = fn(&[String]) -> Result<Plan, String>;

/// The commands that sweep, by name.
fn planner(command: &str) -> Option<Planner> {
    let table: [(&str, Planner); 3] = [
        ("run", crate::run_cmd::plan),
        ("ladder", crate::ladder_cmd::plan),
        ("curve", crate::curve_cmd::plan),
    ];
    table.iter().find(|(n, _)| *n == command).map(|&(_, p)| p)
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct Shard {
    k: usize,
    n: usize,
}

impl Shard {
    fn parse(s: &str) -> Result<Shard, String> {
        let bad = || format!("--shard {s}: expected K/N with 1 <= K <= N <= 10000");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let (k, n) = (k.parse().map_err(|_| bad())?, n.parse().map_err(|_| bad())?);
        if !(1..=n).contains(&k) || n > 10_000 {
            return Err(bad());
        }
        Ok(Shard { k, n })
    }

    fn takes(self, job: usize) -> bool {
        job % self.n == self.k - 1
    }
}

/// One job's figures in a shard file.
#[derive(Serialize, Deserialize)]
struct ShardRun {
    index: usize,
    row: String,
    col: String,
    seed: u32,
    results: Results,
}

#[derive(Serialize, Deserialize)]
struct ShardFile {
    format: String,
    command: String,
    args: Vec<String>,
    shard: usize,
    of: usize,
    jobs: usize,
    wall: f64,
    runs: Vec<ShardRun>,
}

const FORMAT: &str = "aelab-shard-1";

/// `aelab COMMAND ARGS`: the whole sweep, or with `--shard K/N --out FILE`
/// one shard of it written to FILE.
pub fn execute(command: &str, args: &[String]) -> Result<(), String> {
    let mut rest = Vec::new();
    let (mut shard, mut out) = (None, None);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--shard" => shard = Some(Shard::parse(it.next().ok_or("--shard needs K/N")?)?),
            "--out" => out = Some(PathBuf::from(it.next().ok_or("--out needs a file")?)),
            _ => rest.push(a.clone()),
        }
    }
    let plan = planner(command).ok_or_else(|| format!("{command} does not sweep"))?(&rest)?;
    let t0 = std::time::Instant::now();
    let Some(shard) = shard else {
        if out.is_some() {
            return Err("--out goes with --shard".into());
        }
        let results = run_all(&plan.jobs, &plan.source, plan.r.jobs, plan.r.quiet)?;
        let timing = Timing {
            wall: t0.elapsed().as_secs_f64(),
            threads: plan.r.jobs.min(plan.jobs.len()),
            shards: 0,
        };
        return (plan.report)(&plan.r, &plan.jobs, &results, &timing);
    };
    let out = out.ok_or("--shard needs --out FILE, where the shard's figures go")?;
    let mine: Vec<usize> = (0..plan.jobs.len()).filter(|&i| shard.takes(i)).collect();
    let jobs: Vec<Job> = mine.iter().map(|&i| plan.jobs[i].clone()).collect();
    let results = run_all(&jobs, &plan.source, plan.r.jobs, plan.r.quiet)?;
    let file = ShardFile {
        format: FORMAT.into(),
        command: command.into(),
        args: rest,
        shard: shard.k,
        of: shard.n,
        jobs: plan.jobs.len(),
        wall: t0.elapsed().as_secs_f64(),
        runs: mine
            .iter()
            .zip(jobs.iter().zip(results))
            .map(|(&index, (j, results))| ShardRun {
                index,
                row: j.row.clone(),
                col: j.col.clone(),
                seed: j.config.seed,
                results,
            })
            .collect(),
    };
    let text = serde_json::to_string_pretty(&file).map_err(|e| e.to_string())?;
    std::fs::write(&out, text).map_err(|e| format!("{}: {e}", out.display()))?;
    eprintln!(
        "shard {}/{}: {} of {} runs -> {}",
        shard.k,
        shard.n,
        mine.len(),
        plan.jobs.len(),
        out.display()
    );
    Ok(())
}

fn read_shard(path: &Path) -> Result<ShardFile, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let file: ShardFile = serde_json::from_str(&text)
        .map_err(|e| format!("{}: not a shard file: {e}", path.display()))?;
    if file.format != FORMAT {
        return Err(format!(
            "{}: format {:?}; this aelab reads {FORMAT:?}",
            path.display(),
            file.format
        ));
    }
    Ok(file)
}

/// `aelab merge SHARD... [OPTIONS]`: the shards' figures as the tables of one
/// run; OPTIONS (`--markdown`, `--json`, `--svg`) join the sweep's own.
pub fn merge(args: &[String]) -> Result<(), String> {
    let split = args
        .iter()
        .position(|a| a.starts_with("--"))
        .unwrap_or(args.len());
    let (paths, extra) = args.split_at(split);
    if paths.is_empty() {
        return Err("merge needs the shard files".into());
    }
    let files: Vec<(&String, ShardFile)> = paths
        .iter()
        .map(|p| read_shard(Path::new(p)).map(|f| (p, f)))
        .collect::<Result<_, _>>()?;
    let first = &files[0].1;
    for (path, f) in &files[1..] {
        if (&f.command, &f.args, f.of, f.jobs)
            != (&first.command, &first.args, first.of, first.jobs)
        {
            return Err(format!(
                "{path}: a shard of another sweep (`aelab {} {}`, {} shards) than {}'s (`aelab {} {}`, {} shards)",
                f.command,
                f.args.join(" "),
                f.of,
                files[0].0,
                first.command,
                first.args.join(" "),
                first.of
            ));
        }
    }
    let mut seen = vec![None; first.of];
    for (path, f) in &files {
        match seen.get_mut(f.shard.wrapping_sub(1)) {
            Some(Some(other)) => {
                return Err(format!("{path}: shard {} again (as {other})", f.shard))
            }
            Some(slot) => *slot = Some(path.as_str()),
            None => return Err(format!("{path}: shard {} of {}", f.shard, f.of)),
        }
    }
    if let Some(k) = seen.iter().position(Option::is_none) {
        return Err(format!("shard {}/{} is missing", k + 1, first.of));
    }
    let (command, total, of) = (first.command.clone(), first.jobs, first.of);
    let mut args = first.args.clone();
    let shown = format!("`aelab {command} {}`", args.join(" "));
    args.extend_from_slice(extra);
    let plan = planner(&command).ok_or_else(|| format!("{command} does not sweep"))?(&args)?;
    if plan.jobs.len() != total {
        return Err(format!(
            "the shards hold {total} jobs; this aelab plans {} for {shown}",
            plan.jobs.len(),
        ));
    }
    let mut results: Vec<Option<Results>> = vec![None; total];
    let mut wall = 0.0;
    for (path, f) in files {
        wall += f.wall;
        for run in f.runs {
            let job = plan.jobs.get(run.index).filter(|j| {
                (j.row.as_str(), j.col.as_str(), j.config.seed)
                    == (run.row.as_str(), run.col.as_str(), run.seed)
                    && Shard {
                        k: f.shard,
                        n: f.of,
                    }
                    .takes(run.index)
            });
            if job.is_none() {
                return Err(format!(
                    "{path}: job {} ({} / {}, seed {}) is not this sweep's",
                    run.index, run.row, run.col, run.seed
                ));
            }
            results[run.index] = Some(run.results);
        }
    }
    let results: Vec<Results> = results
        .into_iter()
        .enumerate()
        .map(|(i, r)| r.ok_or_else(|| format!("no shard holds job {i}")))
        .collect::<Result<_, _>>()?;
    let timing = Timing {
        wall,
        threads: plan.r.jobs,
        shards: of,
    };
    (plan.report)(&plan.r, &plan.jobs, &results, &timing)
}

#[cfg(test)]
mod tests {
    use super::Shard;

    #[test]
    fn shards_take_every_job_once() {
        for n in 1..7 {
            for job in 0..40 {
                let takers = (1..=n).filter(|&k| Shard { k, n }.takes(job)).count();
                assert_eq!(takers, 1, "job {job}, {n} shards");
            }
        }
        for bad in ["0/3", "4/3", "3", "a/b", "1/0", "1/10001"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Shard::parse("2/5"), Ok(Shard { k: 2, n: 5 }));
    }
}
