//! The PyPI step, played with stand-ins for the runner's Python and for uv: it publishes every
//! wheel the matrix built, through trusted publishing, and nothing when one is missing.

use super::play::{fake, play, stderr};
use super::{matrix, step_script, workflow};

/// Plays the step over `wheels` fake wheels in dist/; returns its output and what uv was asked.
fn publish_with(wheels: usize) -> (std::process::Output, Option<String>) {
    let doc = workflow();
    let script = step_script(&doc, "publish-pypi", "Publish to PyPI");
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("dist")).unwrap();
    for i in 0..wheels {
        std::fs::write(root.join(format!("dist/w{i}-py3-none-any.whl")), b"wheel").unwrap();
    }
    // `python3 -m venv DIR` makes DIR/bin/pip, whose `install` makes DIR/bin/uv; each records
    // its arguments. Nothing reaches a registry.
    let bin = root.join("fake-bin");
    let fakes = bin.display();
    fake(&bin, "uv-stand-in", "echo \"$*\" > uv-args\n");
    fake(
        &bin,
        "pip-stand-in",
        &format!("echo \"$*\" > pip-args\ncp {fakes}/uv-stand-in \"$(dirname \"$0\")/uv\"\n"),
    );
    fake(
        &bin,
        "python3",
        &format!(
            "[ \"$1 $2\" = '-m venv' ] || exit 3\nmkdir -p \"$3/bin\"\ncp {fakes}/pip-stand-in \"$3/bin/pip\"\n"
        ),
    );
    let temp = root.join("runner-temp");
    let temp = temp.to_str().unwrap();
    let out = play(script, root, &[("RUNNER_TEMP", temp)], Some(&bin));
    let uv = std::fs::read_to_string(root.join("uv-args")).ok();
    if out.status.success() {
        let pip = std::fs::read_to_string(root.join("pip-args")).unwrap();
        assert_eq!(
            pip.trim_end(),
            "install --disable-pip-version-check --quiet uv==0.13.9"
        );
    }
    (out, uv)
}

#[test]
fn every_wheel_is_published_through_trusted_publishing_and_none_when_one_is_missing() {
    let built = matrix(&workflow()).len();
    let (out, uv) = publish_with(built);
    assert!(out.status.success(), "{}", stderr(&out));
    let files: Vec<String> = (0..built)
        .map(|i| format!("dist/w{i}-py3-none-any.whl"))
        .collect();
    assert_eq!(
        uv.unwrap().trim_end(),
        format!("publish --trusted-publishing always {}", files.join(" "))
    );
    let (out, uv) = publish_with(built - 1);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(&format!(
            "expected {built} wheels in dist/, found {}",
            built - 1
        )),
        "{}",
        stderr(&out)
    );
    assert_eq!(uv, None, "nothing published");
}
