//! One job's steps as the runner runs them: a `run:` step under GitHub's `shell: bash`
//! command line with fresh GITHUB_OUTPUT/GITHUB_PATH/GITHUB_ENV files, read back after it as the
//! runner reads them, and `actions/cache` as a store of saved directories, one per key.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use yaml_serde::Value;

use super::expr::Contexts;
use super::{Runner, text_of};
use crate::check_ref_format::parse_github_output;
use crate::fixture::TestRepo;

/// `cp -a FROM TO`: a cache restore or save.
pub(crate) fn copy_dir(from: &Path, to: &Path) {
    let out = std::process::Command::new("cp")
        .arg("-a")
        .arg(from)
        .arg(to)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "cp: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The job's state across steps: the runner's variables plus GITHUB_ENV's, GITHUB_PATH's
/// directories (newest first), what actions/cache will save, and the log.
pub(crate) struct Job {
    pub env: Vec<(String, String)>,
    pub path: Vec<String>,
    pub saves: Vec<(PathBuf, String)>,
    pub log: String,
}

impl Job {
    /// One `run:` step: whether it passed (exit 0 and well-formed files), and its outputs.
    pub(crate) fn run(
        &mut self,
        cx: &Contexts,
        step: &Value,
        workdir: &Path,
        dir: &Path,
        repo: &TestRepo,
    ) -> (bool, HashMap<String, String>) {
        assert_eq!(
            text_of(&step["shell"]),
            "bash",
            "a composite step names its shell"
        );
        std::fs::create_dir_all(dir).unwrap();
        let script = dir.join("script.sh");
        std::fs::write(&script, text_of(&step["run"])).unwrap();
        let [output, path, env] = ["output", "path", "env"].map(|f| dir.join(f));
        for f in [&output, &path, &env] {
            std::fs::write(f, "").unwrap();
        }
        let mut cmd = repo.command(Path::new("bash"), workdir);
        let system_path = std::env::var("PATH").unwrap_or_default();
        let full_path = self
            .path
            .iter()
            .map(String::as_str)
            .chain(std::iter::once(system_path.as_str()))
            .collect::<Vec<_>>()
            .join(":");
        // GitHub's `shell: bash`: `bash --noprofile --norc -eo pipefail {0}`.
        cmd.args(["--noprofile", "--norc", "-eo", "pipefail"])
            .arg(&script)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .env("PATH", full_path)
            .env("GITHUB_OUTPUT", &output)
            .env("GITHUB_PATH", &path)
            .env("GITHUB_ENV", &env);
        if let Some(vars) = step["env"].as_mapping() {
            for (k, v) in vars {
                cmd.env(text_of(k), cx.interpolate(text_of(v)));
            }
        }
        let out = cmd.output().unwrap();
        self.log.push_str(&String::from_utf8_lossy(&out.stdout));
        self.log.push_str(&String::from_utf8_lossy(&out.stderr));
        let mut passed = out.status.success();
        if !passed {
            self.log.push_str(&format!("  (failed: {})\n", out.status));
        }
        let mut read = |f: &Path| {
            parse_github_output(&std::fs::read_to_string(f).unwrap()).unwrap_or_else(|e| {
                self.log.push_str(&format!("  (failed: {e})\n"));
                passed = false;
                Vec::new()
            })
        };
        let outputs = read(&output);
        let vars = read(&env);
        if passed {
            self.env.extend(vars);
            for line in std::fs::read_to_string(&path).unwrap().lines().rev() {
                self.path.insert(0, line.to_string());
            }
        }
        (passed, outputs.into_iter().collect())
    }

    /// `actions/cache`: restores the key's saved directory to `path` (a hit), or arranges to
    /// save `path` under the key when the job succeeds (a miss).
    pub(crate) fn cache(
        &mut self,
        cx: &Contexts,
        step: &Value,
        runner: &Runner,
    ) -> HashMap<String, String> {
        let with = step["with"].as_mapping().unwrap();
        for key in with.keys() {
            assert!(
                ["path", "key"].contains(&text_of(key)),
                "cache input {key:?} is not played"
            );
        }
        let path = PathBuf::from(cx.interpolate(text_of(&step["with"]["path"])));
        let key = cx.interpolate(text_of(&step["with"]["key"]));
        assert!(!key.contains('/') && !key.is_empty(), "cache key {key:?}");
        let saved = runner.cache_store.join(&key);
        let hit = saved.is_dir();
        if hit {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            copy_dir(&saved, &path);
            self.log
                .push_str(&format!("Cache restored from key: {key}\n"));
        } else {
            self.log
                .push_str(&format!("Cache not found for key: {key}\n"));
            self.saves.push((path, key));
        }
        HashMap::from([("cache-hit".to_string(), hit.to_string())])
    }
}
