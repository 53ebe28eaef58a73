//! The command-line runner as a user runs it: `--jobs 2` gives exactly the
//! figures of `--jobs 1`, and `baselines` prints its bars.

use std::process::Command;

fn aelab(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_aelab"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("aelab runs");
    assert!(
        out.status.success(),
        "aelab {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn figures(path: &std::path::Path) -> Vec<serde_json::Value> {
    let mut rows: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    for r in &mut rows {
        r.as_object_mut().unwrap().remove("seconds");
    }
    rows
}

#[test]
fn two_jobs_give_the_figures_of_one() {
    let dir = std::env::temp_dir().join(format!("aelab-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (one, two) = (dir.join("one.json"), dir.join("two.json"));
    for (jobs, path) in [("1", &one), ("2", &two)] {
        aelab(&[
            "run",
            "mnist_hash_1",
            "--protocol",
            "browser",
            "--preset",
            "best",
            "--seeds",
            "3",
            "--jobs",
            jobs,
            "--quiet",
            "--json",
            path.to_str().unwrap(),
        ]);
    }
    let (a, b) = (figures(&one), figures(&two));
    assert_eq!(a.len(), 3);
    assert_eq!(a, b);
    // The seeds differ, and so do their models' figures.
    assert_ne!(a[0]["hash"], a[1]["hash"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn baselines_print_a_row_per_label_budget() {
    let out = aelab(&["baselines", "--protocol", "browser"]);
    assert!(
        out.contains("| 8000 (100%) |") && out.contains("| 80 (1%) |"),
        "{out}"
    );
}
