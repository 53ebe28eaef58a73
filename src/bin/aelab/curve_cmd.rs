//! `aelab curve`: test accuracy against the number of labels, for the MLP
//! alone and the autoencoder-pre-trained model, each with and without label
//! propagation (best recipe otherwise), over seeds: a markdown table and an
//! SVG plot.

use crate::run_cmd::{load, parse, protocol_name, provenance, write_text, Job, RunArgs};
use crate::sweep::{Plan, Timing};
use aelab::baseline::mean_sd;
use aelab::data::Protocol;
use aelab::experiment::curve::{config, CURVES};
use aelab::Results;
use std::fmt::Write as _;

const COLOURS: [&str; 4] = ["#2f6fde", "#e6194b", "#3cb44b", "#f58231"];

/// The curve's sweep: every label count × curve × seed.
pub fn plan(args: &[String]) -> Result<Plan, String> {
    let mut rest = args.to_vec();
    let mut svg_path = None;
    let mut labels: Option<Vec<usize>> = None;
    let mut i = 0;
    while i < rest.len() {
        match rest[i].as_str() {
            "--svg" if i + 1 < rest.len() => {
                svg_path = Some(rest.remove(i + 1));
                rest.remove(i);
            }
            "--labels" if i + 1 < rest.len() => {
                let v = rest.remove(i + 1);
                rest.remove(i);
                labels = Some(
                    v.split(',')
                        .map(|s| s.trim().parse().map_err(|e| format!("--labels {s}: {e}")))
                        .collect::<Result<_, _>>()?,
                );
            }
            _ => i += 1,
        }
    }
    let r = parse(&rest, false)?;
    let source = load(&r)?;
    let n_train = aelab::data::train_size(source.len());
    let labels = labels.unwrap_or_else(|| match r.protocol {
        Protocol::Book => vec![100, 300, 1000, 3000, 10_000, 48_000],
        Protocol::Browser => vec![10, 30, 100, 300, 1000, 8000],
    });
    if let Some(&bad) = labels.iter().find(|&&n| n == 0 || n > n_train) {
        return Err(format!(
            "--labels {bad}: expected 1 to the {n_train} training images"
        ));
    }
    let mut jobs = Vec::new();
    for &n in &labels {
        for curve in &CURVES {
            for s in 0..r.seeds {
                let mut c = config(curve, r.protocol, r.kind, n, n_train).expect("a reference row");
                c.seed = r.seed + s;
                jobs.push(Job {
                    row: n.to_string(),
                    col: curve.name.into(),
                    config: c,
                });
            }
        }
    }
    Ok(Plan {
        r,
        source,
        jobs,
        report: Box::new(move |r, jobs, results, timing| {
            report(r, &labels, svg_path.as_deref(), jobs, results, timing)
        }),
    })
}

fn report(
    r: &RunArgs,
    labels: &[usize],
    svg_path: Option<&str>,
    jobs: &[Job],
    results: &[Results],
    timing: &Timing,
) -> Result<(), String> {
    // (labels, per model (mean, sd)).
    let curve: Vec<(usize, Vec<(f64, f64)>)> = labels
        .iter()
        .map(|&n| {
            let per = CURVES
                .iter()
                .map(|curve| {
                    let acc: Vec<f64> = jobs
                        .iter()
                        .zip(results)
                        .filter(|(j, _)| j.row == n.to_string() && j.col == curve.name)
                        .filter_map(|(_, res)| res.test_accuracy)
                        .collect();
                    mean_sd(&acc)
                })
                .collect();
            (n, per)
        })
        .collect();
    let mut md = String::from("| labels |");
    for curve in &CURVES {
        let _ = write!(md, " {} |", curve.name);
    }
    let _ = writeln!(md, "\n|---|{}", "---|".repeat(CURVES.len()));
    for (n, per) in &curve {
        let _ = write!(md, "| {n} |");
        for (m, sd) in per {
            let _ = write!(md, " {:.1} ± {:.1}% |", m * 100.0, sd * 100.0);
        }
        md.push('\n');
    }
    println!("\n{md}");
    eprintln!(
        "{} runs, {timing} ({} protocol)",
        jobs.len(),
        protocol_name(r.protocol)
    );
    if let Some(path) = &r.markdown {
        let text = format!(
            "Test accuracy against the number of labels, by {} (mean ± sd). Best recipe; without propagation the supervised phase trains on the labelled images only, for as many steps as the all-labels recipe takes (at most 1,000 epochs).\n\n{md}",
            provenance(r)
        );
        write_text(path, &text)?;
    }
    if let Some(path) = svg_path {
        std::fs::write(path, svg(&curve)).map_err(|e| format!("{path}: {e}"))?;
    }
    Ok(())
}

/// The curves on a log axis of labels, accuracy 0..100%, with error bars.
fn svg(curve: &[(usize, Vec<(f64, f64)>)]) -> String {
    let (w, h, left, right, top, bottom) = (640.0, 400.0, 60.0, 180.0, 20.0, 50.0);
    let lx = |n: usize| (n as f64).log10();
    let (x0, x1) = (
        lx(curve[0].0),
        lx(curve[curve.len() - 1].0).max(lx(curve[0].0) + 1.0),
    );
    let px = |n: usize| left + (lx(n) - x0) / (x1 - x0) * (w - left - right);
    let py = |a: f64| top + (1.0 - a) * (h - top - bottom);
    let mut s = format!("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    for k in 0..=10 {
        let a = k as f64 / 10.0;
        let _ = writeln!(s, "<line x1=\"{left}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#ddd\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}%</text>", w - right, left - 6.0, py(a) + 4.0, k * 10, y = py(a));
    }
    for (n, _) in curve {
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{n}</text>",
            px(*n),
            h - bottom + 18.0
        );
    }
    let _ = writeln!(
        s,
        "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">labels (log scale)</text>",
        left + (w - left - right) / 2.0,
        h - 10.0
    );
    for (m, (c, colour)) in CURVES.iter().zip(COLOURS).enumerate() {
        let name = c.name;
        let pts: Vec<String> = curve
            .iter()
            .map(|(n, per)| format!("{:.1},{:.1}", px(*n), py(per[m].0)))
            .collect();
        let _ = writeln!(
            s,
            "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{}\"/>",
            pts.join(" ")
        );
        for (n, per) in curve {
            let (a, sd) = per[m];
            let _ = writeln!(s, "<line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"{colour}\"/><circle cx=\"{x:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{colour}\"/>", py(a - sd), py(a + sd), py(a), x = px(*n));
        }
        let y = top + 20.0 + 20.0 * m as f64;
        let _ = writeln!(s, "<line x1=\"{}\" x2=\"{}\" y1=\"{y}\" y2=\"{y}\" stroke=\"{colour}\" stroke-width=\"2\"/><text x=\"{}\" y=\"{}\">{name}</text>", w - right + 10.0, w - right + 30.0, w - right + 36.0, y + 4.0);
    }
    s.push_str("</svg>\n");
    s
}
