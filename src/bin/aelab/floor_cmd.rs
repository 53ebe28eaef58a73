//! `aelab floor`: the FLOP floor of the page's Run all (`experiment::floor`),
//! stage by stage for every reference row in the table's order, as JSON for
//! `bench/run.mjs`, which times the page's Run all in the same browser run
//! as the W2 step and divides.

use crate::run_cmd::{load, parse};
use aelab::data;
use aelab::experiment::floor::{stages, Sizes};
use aelab::experiment::table::{self, Preset};

pub fn run(args: &[String]) -> Result<(), String> {
    let mut r = parse(args, false)?;
    if !args.iter().any(|a| a == "--protocol") {
        r.protocol = data::Protocol::Browser;
    }
    let source = load(&r)?;
    // The page's session keeps the last graph: a run whose graph has the
    // same key (one data set here) builds none.
    let mut graph_key = None;
    let mut rows = Vec::new();
    let mut total = 0.0;
    for name in table::names() {
        let mut c = table::config_for(name, Preset::Best, r.protocol, r.kind).expect("a row");
        c.seed = r.seed;
        let split = data::split(&source, r.protocol, c.label_fraction, c.seed as u64)
            .map_err(|e| e.message)?;
        let sizes = Sizes {
            train: split.train.len(),
            labelled: split.labelled,
            test: split.test.len(),
        };
        let key = aelab::session::GraphKey::of(&c, 0);
        let st = stages(&c, sizes, graph_key == Some(key));
        if c.needs_graph() {
            graph_key = Some(key);
        }
        let sum: f64 = st.iter().map(|(_, f)| f).sum();
        total += sum;
        let stages: serde_json::Map<String, serde_json::Value> = st
            .into_iter()
            .map(|(s, f)| (s.to_string(), f.into()))
            .collect();
        rows.push(serde_json::json!({ "model": name, "flops": sum, "stages": stages }));
    }
    let out = serde_json::json!({ "protocol": crate::run_cmd::protocol_name(r.protocol), "runs": rows, "flops": total });
    println!("{}", serde_json::to_string_pretty(&out).expect("json"));
    Ok(())
}
