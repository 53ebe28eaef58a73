//! Determinism: the same seed gives bit-identical models on this platform, and
//! the figures match the golden file the in-browser tests check too.
//! `AELAB_UPDATE_GOLDEN=1 cargo test --test golden` rewrites the files.

mod common;
use common::*;

#[test]
fn same_seed_same_bits_and_golden_figures() {
    let digits = subset();
    let runs: Vec<Figures> = configs().iter().map(|c| run(c, &digits)).collect();
    let again: Vec<Figures> = configs().iter().map(|c| run(c, &digits)).collect();
    assert_eq!(runs, again, "two runs with the same seed differ");
    if std::env::var_os("AELAB_UPDATE_GOLDEN").is_some() {
        std::fs::write(
            concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/runs.json"),
            serde_json::to_string_pretty(&runs).unwrap(),
        )
        .unwrap();
        std::fs::write(CASES, cases()).unwrap();
        return;
    }
    assert_eq!(
        std::fs::read_to_string(CASES).unwrap_or_default(),
        cases(),
        "{CASES} is stale: AELAB_UPDATE_GOLDEN=1 cargo test --test golden"
    );
    let golden = golden();
    assert_eq!(golden.len(), runs.len());
    for (got, want) in runs.iter().zip(&golden) {
        assert_close(got, want);
    }
    // A different seed must give a different model.
    let mut other = configs()[0].clone();
    other.seed += 1;
    assert_ne!(run(&other, &digits), runs[0]);
}

/// The configs and tolerances as JSON, for the page-level test that runs the
/// shipped wasm modules against the same golden figures (e2e/engine.test.mjs).
const CASES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/cases.json");

fn cases() -> String {
    let cases = serde_json::json!({
        "rel_tol": REL_TOL,
        "acc_tol": ACC_TOL,
        "configs": configs(),
    });
    serde_json::to_string_pretty(&cases).unwrap() + "\n"
}
