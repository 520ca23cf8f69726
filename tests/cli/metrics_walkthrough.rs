//! The README's "Metrics" walkthrough, `examples/metrics.sh`, run as a user runs it: two
//! versions registered with their scores, the better one picked, and a prod gate that refuses
//! the worse one (issue 14, "Done means").

use std::path::Path;

use crate::fixture::{TestRepo, registry_bin};

#[test]
fn the_metrics_walkthrough_picks_the_better_version_and_the_gate_refuses_the_worse() {
    let repo = TestRepo::new();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/metrics.sh");
    let out = repo
        .command(Path::new("bash"), &repo.path())
        .arg(&script)
        .env("REGISTRY_BIN", registry_bin())
        .env("TMPDIR", repo.path())
        // Real clocks, as a user's: the script's tags are seconds apart or tie-broken as git's.
        .env_remove("GIT_AUTHOR_DATE")
        .env_remove("GIT_COMMITTER_DATE")
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let all = format!("{stdout}\n--- stderr\n{stderr}");
    assert!(out.status.success(), "{all}");
    // Both versions recorded their files' scores, the second one a given value too.
    assert!(
        stdout.contains("│ v0.0.1  ┆ -     ┆ -       ┆ 0.913    ┆ 41         │"),
        "{all}"
    );
    // Sorted by auc the better one comes first; by latency ascending the faster one does.
    let first_row = |section: &str| {
        let at = stdout
            .find(section)
            .unwrap_or_else(|| panic!("{section}: {all}"));
        stdout[at..]
            .lines()
            .find(|l| l.starts_with("│ v0"))
            .map(str::to_string)
            .unwrap()
    };
    assert!(
        first_row("--sort-by eval.auc\n").starts_with("│ v0.0.1"),
        "{all}"
    );
    assert!(
        first_row("--sort-by latency_ms --asc").starts_with("│ v0.1.0"),
        "{all}"
    );
    // diff shows the change, the gate refuses the worse version and takes the better one.
    assert!(
        stdout.contains("eval.auc    0.913   0.874    -0.039  -4.27%"),
        "{all}"
    );
    assert!(
        stderr.contains("which has eval.auc = 0.874, which fails the rule eval.auc >= 0.9 (authorize.stages.prod.metrics); no tag was created"),
        "{all}"
    );
    assert!(
        stdout.contains("Created git tag 'churn#prod#1' that assigns stage to version 'v0.0.1'"),
        "{all}"
    );
    assert!(stdout.contains("┆ v0.1.0  ┆ v0.0.1 (#prod) ┆"), "{all}");
    assert!(stdout.contains("\"metrics_recorded\": true"), "{all}");
}
