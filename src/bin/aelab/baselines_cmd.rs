//! `aelab baselines`: the trivial bars (`aelab::baseline`) for the label
//! budgets of the reference table (all labels; 1%) on its split, over seeds.

use super::run_cmd::{load, parse, protocol_name, provenance, write_text};
use aelab::baseline::{bars, mean_sd, Bars};
use aelab::experiment::table::{self, Preset};

fn spread(v: &[f64], k: f64, digits: usize) -> String {
    let (m, sd) = mean_sd(v);
    if v.len() > 1 {
        format!("{:.d$} ± {:.d$}", m * k, sd * k, d = digits)
    } else {
        format!("{:.d$}", m * k, d = digits)
    }
}

pub fn baselines(args: &[String]) -> Result<(), String> {
    let r = parse(args, false)?;
    let source = load(&r)?;
    // The label budgets of the table's rows, as their configs give them.
    let mut fractions: Vec<f64> = table::names()
        .filter_map(|n| table::config_for(n, Preset::Best, r.protocol, r.kind))
        .filter(|c| c.head.is_some())
        .map(|c| c.label_fraction)
        .collect();
    fractions.sort_by(|a, b| b.total_cmp(a));
    fractions.dedup();
    let mut rows = Vec::new();
    let mut out = String::from(
        "| labels | softmax regression | 1-NN | PCA-10 + softmax regression | PCA-1 MSE | PCA-10 MSE |\n|---|---|---|---|---|---|\n",
    );
    for f in fractions {
        let runs: Vec<Bars> = (0..r.seeds)
            .map(|s| bars(&source, r.protocol, f, r.seed + s, &[1, 10]))
            .collect::<Result<_, _>>()
            .map_err(|e| e.message)?;
        let col = |g: &dyn Fn(&Bars) -> f64| runs.iter().map(g).collect::<Vec<f64>>();
        let mean = |g: &dyn Fn(&Bars) -> f64| mean_sd(&col(g)).0;
        rows.push(serde_json::json!({
            "label_fraction": f,
            "labelled": runs[0].labelled,
            "seeds": r.seeds,
            "logreg": mean(&|b| b.logreg),
            "nearest": mean(&|b| b.nearest),
            "pca_logreg": mean(&|b| b.pca_logreg),
            "pca1_mse": mean(&|b| b.pca_mse[0].1),
            "pca10_mse": mean(&|b| b.pca_mse[1].1),
        }));
        out.push_str(&format!(
            "| {} ({:.0}%) | {}% | {}% | {}% | {} | {} |\n",
            runs[0].labelled,
            f * 100.0,
            spread(&col(&|b| b.logreg), 100.0, 1),
            spread(&col(&|b| b.nearest), 100.0, 1),
            spread(&col(&|b| b.pca_logreg), 100.0, 1),
            spread(&col(&|b| b.pca_mse[0].1), 1.0, 4),
            spread(&col(&|b| b.pca_mse[1].1), 1.0, 4),
        ));
    }
    println!("{out}");
    // For the page's results table (scripts/build.sh writes www/data/bars-*.json).
    if let Some(path) = &r.json {
        let text = serde_json::to_string_pretty(
            &serde_json::json!({ "protocol": protocol_name(r.protocol), "rows": rows }),
        )
        .expect("json");
        write_text(path, &text)?;
    }
    if let Some(path) = &r.markdown {
        let text = format!(
            "Trivial bars by {}, on each label budget's split: pixels on 0..1, not deskewed; PCA fitted on every training image.\n\n{out}",
            provenance(&r)
        );
        write_text(path, &text)?;
    }
    Ok(())
}
