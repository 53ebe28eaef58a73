//! The command-line runner as a user runs it: `--jobs 2` gives exactly the
//! figures of `--jobs 1`, `--kind` and `--set` change the recipe as they
//! say (and refuse what is wrong by name), and `baselines` prints its bars.

use std::process::Command;

fn output(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_aelab"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("aelab runs")
}

/// The stdout of a run that must succeed.
fn aelab(args: &[&str]) -> String {
    let out = output(args);
    assert!(
        out.status.success(),
        "aelab {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The stderr of a run that must fail.
fn aelab_fails(args: &[&str]) -> String {
    let out = output(args);
    assert!(!out.status.success(), "aelab {args:?} should fail");
    String::from_utf8(out.stderr).unwrap()
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
fn merged_shards_equal_one_run() {
    let dir = std::env::temp_dir().join(format!("aelab-cli-shards-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = |name: &str| dir.join(name).to_str().unwrap().to_string();
    let sweep = [
        "run",
        "mnist_hash_1",
        "--protocol",
        "browser",
        "--preset",
        "both",
        "--seeds",
        "2",
        "--quiet",
        "--set",
        "ae_epochs=1",
    ];
    let one = aelab(&[&sweep[..], &["--json", &p("one.json")]].concat());
    for k in 1..=3 {
        let shard = format!("{k}/3");
        aelab(
            &[
                &sweep[..],
                &["--shard", &shard, "--out", &p(&format!("{k}.json"))],
            ]
            .concat(),
        );
    }
    // In any order of the files.
    let merged = aelab(&[
        "merge",
        &p("3.json"),
        &p("1.json"),
        &p("2.json"),
        "--json",
        &p("merged.json"),
    ]);
    let (a, b) = (
        figures(&dir.join("one.json")),
        figures(&dir.join("merged.json")),
    );
    assert_eq!(a.len(), 4);
    assert_eq!(a, b);
    // The printed table too, but for its time column.
    let untimed = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| l.starts_with("| mnist"))
            .map(|l| l.rsplitn(3, '|').nth(2).unwrap().to_string())
            .collect()
    };
    assert_eq!(untimed(&one), untimed(&merged));
    assert!(!untimed(&one).is_empty(), "{one}");

    // A missing shard, a shard twice, and another sweep's shard are refused.
    let err = aelab_fails(&["merge", &p("1.json"), &p("2.json")]);
    assert!(err.contains("shard 3/3 is missing"), "{err}");
    let err = aelab_fails(&["merge", &p("1.json"), &p("1.json"), &p("2.json")]);
    assert!(err.contains("shard 1 again"), "{err}");
    let x = p("x.json");
    aelab(&[&sweep[..], &["--seed", "5", "--shard", "3/3", "--out", &x]].concat());
    let err = aelab_fails(&["merge", &p("1.json"), &p("2.json"), &x]);
    assert!(err.contains("another sweep"), "{err}");
    let err = aelab_fails(&[&sweep[..], &["--shard", "4/3", "--out", &p("y.json")]].concat());
    assert!(err.contains("1 <= K <= N"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn baselines_print_a_row_per_label_budget() {
    let out = aelab(&["baselines", "--protocol", "browser"]);
    assert!(
        out.contains("| 8000 (100%) |") && out.contains("| 480 (6%) |"),
        "{out}"
    );
}

#[test]
fn kind_and_set_change_the_recipe_and_bad_fields_are_refused_by_name() {
    let dir = std::env::temp_dir().join(format!("aelab-cli-set-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let run = |extra: &[&str], name: &str| {
        let path = dir.join(name);
        let mut args = vec![
            "run",
            "mnist_mlp_all",
            "--protocol",
            "browser",
            "--preset",
            "best",
            "--quiet",
            "--json",
            path.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        aelab(&args);
        figures(&path).remove(0)
    };
    let digits = run(&["--set", "sup_epochs=1"], "digits.json");
    assert_eq!(digits["config"]["deskew"], true);
    assert_eq!(digits["config"]["sup_epochs"], 1);
    let other = run(
        &[
            "--kind",
            "other",
            "--set",
            "sup_epochs=1",
            "--set",
            "optim.lr=0.01",
        ],
        "other.json",
    );
    assert_eq!(other["config"]["deskew"], false);
    assert_eq!(other["config"]["sup_epochs"], 1);
    assert!((other["config"]["optim"]["lr"].as_f64().unwrap() - 0.01).abs() < 1e-6);
    // One epoch, deskewed or not: both learn something, and not the same.
    assert_ne!(digits["test_accuracy"], other["test_accuracy"]);
    std::fs::remove_dir_all(&dir).unwrap();

    let base = ["run", "mnist_mlp_all", "--protocol", "browser", "--quiet"];
    for (set, why) in [
        ("colour=blue", "no field \"colour\""),
        ("batch=0", "batch"),
        ("batch=\"big\"", "batch"),
        ("sup_epochs", "expected field=value"),
    ] {
        let err = aelab_fails(&[&base[..], &["--set", set]].concat());
        assert!(err.contains(why), "--set {set}: {err}");
    }
    let err = aelab_fails(&[&base[..], &["--kind", "shoes"]].concat());
    assert!(err.contains("\"digits\" or \"other\""), "{err}");
}
