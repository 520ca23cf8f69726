//! Real DVC reads the declarations registry wrote: `dvc artifacts get` at a registered version,
//! and `Repo.artifacts.read()` gives back every field in DVC's names.
//!
//! DVC is found and run hermetically by `dvc_fixture.rs` (`REGISTRY_DVC`, else `dvc` on PATH;
//! skipped with a notice without it, unless `REGISTRY_REQUIRE_DVC=1`).

use std::path::Path;

use super::DVC_YAML;
use crate::dvc_fixture::{dvc, dvc_or_skip};
use crate::fixture::TestRepo;

/// A visible notice that a test did not run (test output is captured, stderr of the process is
/// not).
pub(crate) fn skipped(msg: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{msg}");
}

#[test]
fn real_dvc_reads_the_declarations_registry_wrote() {
    let Some(exe) = dvc_or_skip("dvc_declarations") else {
        return;
    };
    let repo = TestRepo::new();
    dvc(&repo, &exe, &["init", "-q"]);
    repo.write("dvc.yaml", DVC_YAML);
    repo.write("models/churn.pkl", "weights v1");
    repo.write("sub/dvc.yaml", "stages:\n  cv:\n    cmd: python cv.py\n");
    repo.write("sub/cv.pt", "tensor");
    repo.run(&[
        "annotate",
        "churn",
        "--description",
        "Churn, v2",
        "--custom",
        "epochs=3",
        "--label",
        "gbm",
    ])
    .ok();
    repo.run(&["annotate", "sub:cv", "--type", "model", "--path", "cv.pt"])
        .ok();
    repo.write(
        "artifacts.yaml",
        "legacy:\n  type: model\n  path: models/churn.pkl\n",
    );
    repo.run(&["annotate", "legacy", "--move-to", "dvc.yaml"])
        .ok();
    repo.commit("declared");
    repo.run(&["register", "churn"]).ok();
    repo.run(&["register", "sub:cv"]).ok();

    // DVC's own reading of every dvc.yaml: the fields registry wrote, in DVC's names.
    let out = repo.home().join("got.pkl");
    dvc(
        &repo,
        &exe,
        &[
            "artifacts",
            "get",
            ".",
            "churn",
            "--rev",
            "v0.0.1",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "weights v1");
    let out = repo.home().join("cv.pt");
    dvc(
        &repo,
        &exe,
        &[
            "artifacts",
            "get",
            ".",
            "sub:cv",
            "--rev",
            "v0.0.1",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "tensor");
    let python = std::fs::read_to_string(&exe).ok().and_then(|s| {
        s.lines()
            .next()
            .and_then(|l| l.strip_prefix("#!"))
            .map(str::to_string)
    });
    let Some(python) = python.filter(|p| Path::new(p).exists()) else {
        skipped(&format!(
            "SKIPPED dvc_declarations (Repo.artifacts.read): no python next to {}",
            exe.display()
        ));
        return;
    };
    const READ: &str = "import json\nfrom dvc.repo import Repo\nr = Repo('.')\nprint(json.dumps({f: {k: v.to_dict() for k, v in a.items()} for f, a in r.artifacts.read().items()}, sort_keys=True))";
    let state = repo.home().join(".dvc-state");
    let json = repo
        .command(Path::new(&python), &repo.path())
        // The same hermetic state as `dvc_fixture::dvc`.
        .env("DVC_NO_ANALYTICS", "1")
        .env("DVC_SITE_CACHE_DIR", state.join("site"))
        .env("DVC_GLOBAL_CONFIG_DIR", state.join("global"))
        .env("DVC_SYSTEM_CONFIG_DIR", state.join("system"))
        .args(["-c", READ])
        .output()
        .unwrap();
    assert!(
        json.status.success(),
        "{}",
        String::from_utf8_lossy(&json.stderr)
    );
    let got: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(
        got,
        serde_json::json!({
            "dvc.yaml": {
                "churn": {"path": "models/churn.pkl", "type": "model", "desc": "Churn, v2", "labels": ["tabular", "gbm"], "meta": {"epochs": 3}},
                "legacy": {"path": "models/churn.pkl", "type": "model"},
            },
            "sub/dvc.yaml": {"cv": {"path": "cv.pt", "type": "model"}},
        })
    );
}
