//! Real DVC reads the declarations registry wrote: `dvc artifacts get` at a registered version,
//! and `Repo.artifacts.read()` gives back every field in DVC's names.
//!
//! DVC is found and run hermetically by `dvc_peer.rs` (`REGISTRY_DVC`, else `dvc` on PATH;
//! skipped with a notice without it, unless `REGISTRY_REQUIRE_DVC=1`).

use super::DVC_YAML;
use crate::dvc_peer::{Dvc, Q, dvc_or_skip};
use crate::fixture::TestRepo;

#[test]
fn real_dvc_reads_the_declarations_registry_wrote() {
    let Some(exe) = dvc_or_skip("dvc_declarations") else {
        return;
    };
    let repo = TestRepo::new();
    let dvc = Dvc::new(exe, &repo);
    dvc.run(&["init", "-q"]);
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
    dvc.artifacts_get("churn", Q::V("v0.0.1"), &out);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "weights v1");
    let out = repo.home().join("cv.pt");
    dvc.artifacts_get("sub:cv", Q::V("v0.0.1"), &out);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "tensor");
    const READ: &str = "import json\nfrom dvc.repo import Repo\nr = Repo('.')\nprint(json.dumps({f: {k: v.to_dict() for k, v in a.items()} for f, a in r.artifacts.read().items()}, sort_keys=True))";
    let json = dvc.python(READ, &[]);
    let got: serde_json::Value = serde_json::from_str(&json).unwrap();
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
