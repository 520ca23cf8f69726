//! The examples' structure, read as data: the triggers, the checkout each job makes, the order
//! of the steps, and what each registry line asks, for GitHub Actions and for GitLab CI.

#[allow(
    clippy::wildcard_imports,
    reason = "the parent's readers of the example files"
)]
use super::*;

#[test]
fn github_workflow_structure() {
    let doc = load(GITHUB);
    // Triggered by tag pushes only, every tag name.
    let on = doc["on"].as_mapping().unwrap();
    assert_eq!(on.len(), 1, "{on:?}");
    let push = doc["on"]["push"].as_mapping().unwrap();
    assert_eq!(push.len(), 1, "{push:?}");
    assert_eq!(doc["on"]["push"]["tags"][0], "**");
    // Least privilege, and no job asks for more.
    assert_eq!(
        doc["permissions"],
        yaml_serde::from_str::<Value>("contents: read").unwrap()
    );
    let jobs = doc["jobs"].as_mapping().unwrap();
    for (name, job) in jobs {
        assert!(
            job.get("permissions").is_none(),
            "{name:?} asks for permissions"
        );
    }

    // The check job: full history, tags re-fetched as pushed, then check-ref.
    let steps = doc["jobs"]["registry"]["steps"].as_sequence().unwrap();
    let position = |what: &dyn Fn(&Value) -> bool| steps.iter().position(what);
    let checkout = position(&|st| {
        st["uses"]
            .as_str()
            .is_some_and(|u| u.starts_with("actions/checkout@"))
    })
    .unwrap();
    assert_eq!(steps[checkout]["with"]["fetch-depth"], 0);
    // Blobless (issue 12): the history's commits, trees and tags, no blob until one is read.
    assert_eq!(steps[checkout]["with"]["filter"], "blob:none");
    assert_eq!(steps[checkout]["with"]["persist-credentials"], false);
    let fetch = position(&|st| st["run"] == "git fetch --force --tags origin").unwrap();
    // The check is registry's action (issue 13) with the gate on; it installs registry itself.
    let check = position(&|st| st["id"] == "check").unwrap();
    assert!(
        s(&steps[check]["uses"]).starts_with("YOUR-ORG/registry@v"),
        "{:?}",
        steps[check]
    );
    assert_eq!(steps[check]["with"]["policy"], true);
    let action = load("action.yml");
    assert_eq!(action["inputs"]["ref"]["default"], "${{ github.ref }}");
    assert_eq!(
        action["inputs"]["policy-ref"]["default"],
        "origin/${{ github.event.repository.default_branch }}"
    );
    assert!(checkout < fetch && fetch < check);
    // A failed check fails its job: nothing lets it fail softly.
    assert!(doc["jobs"]["registry"].get("continue-on-error").is_none());
    assert!(steps.iter().all(|st| st.get("continue-on-error").is_none()));
    // Its outputs are check-ref's, all seven.
    let outputs = doc["jobs"]["registry"]["outputs"].as_mapping().unwrap();
    let keys: Vec<&str> = outputs.keys().map(s).collect();
    assert_eq!(keys, KEYS);
    for (k, v) in outputs {
        assert_eq!(s(v), format!("${{{{ steps.check.outputs.{} }}}}", s(k)));
    }

    // Build on a registration, deploy on an assignment to prod.
    assert_eq!(doc["jobs"]["build"]["needs"], "registry");
    assert_eq!(
        doc["jobs"]["build"]["if"],
        "needs.registry.outputs.event == 'registration'"
    );
    assert_eq!(doc["jobs"]["deploy"]["needs"], "registry");
    assert_eq!(
        doc["jobs"]["deploy"]["if"],
        "success() && needs.registry.outputs.event == 'assignment' && needs.registry.outputs.stage == 'prod'"
    );
    assert_eq!(doc["jobs"]["deploy"]["environment"], "production");
    // Deploy gets prod's verified bytes first, in a blobless checkout with every tag.
    let deploy = doc["jobs"]["deploy"]["steps"].as_sequence().unwrap();
    assert_eq!(deploy[0]["with"]["filter"], "blob:none");
    assert_eq!(deploy[0]["with"]["fetch-depth"], 0);
    let install = deploy
        .iter()
        .position(|st| {
            st["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("YOUR-ORG/registry@"))
        })
        .expect("the deploy job installs registry with the action");
    assert_eq!(deploy[install]["with"]["check"], false);
    let first_run = deploy
        .iter()
        .position(|st| {
            st["run"]
                .as_str()
                .is_some_and(|r| r.contains("registry get "))
        })
        .unwrap();
    assert!(install < first_run);
    let runs: Vec<&str> = deploy.iter().filter_map(|st| st["run"].as_str()).collect();
    let get = runs
        .iter()
        .position(|r| r.contains("registry get \"$NAME#prod\" -o deploy/artifact --json"))
        .expect("the deploy job runs registry get NAME#prod");
    let fetch = runs
        .iter()
        .position(|r| *r == "git fetch --force --tags origin")
        .unwrap();
    let ship = runs
        .iter()
        .position(|r| r.contains("Deploy $NAME"))
        .unwrap();
    assert!(fetch < get && get < ship, "{runs:?}");
    // The gate: GitHub skips a job whose `needs` failed unless its `if` calls one of these.
    for (name, job) in jobs {
        let cond = job["if"].as_str().unwrap_or_default();
        for f in ["always()", "failure()", "cancelled()"] {
            assert!(
                !cond.contains(f),
                "{name:?} runs after a failed check: {cond}"
            );
        }
    }

    // Outputs reach scripts through env only (a description pasted into a script is code), and
    // every output named anywhere is one check-ref writes.
    for script in scripts(&doc) {
        assert!(
            !script.contains("${{"),
            "an expression inside `run`: {script}"
        );
    }
    let raw = text(GITHUB);
    for (i, _) in raw.match_indices("outputs.") {
        let key: String = raw[i + "outputs.".len()..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        assert!(KEYS.contains(&key.as_str()), "unknown output `{key}`");
    }
}

#[test]
fn gitlab_pipeline_structure() {
    let doc = gitlab_pipeline();
    // Tag pipelines only, full clones.
    assert_eq!(doc["workflow"]["rules"][0]["if"], "$CI_COMMIT_TAG");
    assert_eq!(doc["variables"]["GIT_DEPTH"], "0");
    // Blobless (issue 12), keeping the runner's default fetch flags that the variable replaces.
    let flags: Vec<&str> = s(&doc["variables"]["GIT_FETCH_EXTRA_FLAGS"])
        .split_whitespace()
        .collect();
    assert_eq!(flags, ["--prune", "--quiet", "--filter=blob:none"]);

    // The check job is the component's (issue 13), with the gate on: tags re-fetched as
    // pushed, the default branch fetched, then check-ref --policy into the dotenv report.
    let example = load(GITLAB);
    assert!(
        example.get("check-ref").is_none(),
        "the example defines its own check-ref"
    );
    assert_eq!(example["include"][0]["inputs"]["policy"], true);
    let check = &doc["check-ref"];
    let script: Vec<&str> = check["script"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(s)
        .collect();
    let fetch = script
        .iter()
        .position(|l| *l == "git fetch --force --tags origin")
        .unwrap();
    let check_ref = script
        .iter()
        .position(|l| l.contains("registry check-ref "))
        .unwrap();
    assert!(fetch < check_ref);
    assert!(
        script[check_ref].contains(
            "registry check-ref \"$CI_COMMIT_TAG\" --policy --policy-ref \"$REGISTRY_CHECK_POLICY_REF\" --format gitlab --prefix \"$REGISTRY_CHECK_PREFIX\" --output registry.env"
        ),
        "{}",
        script[check_ref]
    );
    assert_eq!(
        check["variables"]["REGISTRY_CHECK_POLICY_REF"],
        "origin/$CI_DEFAULT_BRANCH"
    );
    assert_eq!(check["variables"]["REGISTRY_CHECK_PREFIX"], "REGISTRY_");
    let branch = script
        .iter()
        .position(|l| {
            *l == "git fetch --force origin \"+refs/heads/$CI_DEFAULT_BRANCH:refs/remotes/origin/$CI_DEFAULT_BRANCH\""
        })
        .expect("the default branch is fetched for --policy");
    assert!(branch < check_ref);
    assert_eq!(check["artifacts"]["reports"]["dotenv"], "registry.env");
    // Installed from the release before anything runs, in check-ref and deploy alike.
    for job in ["check-ref", "deploy"] {
        let install = doc[job]["before_script"][0].as_str().unwrap_or_default();
        assert!(install.contains("sha256sum -c"), "{job}: {install}");
    }

    // Build and deploy get the report (needs), deploy in its environment. The gate: they run
    // only when check-ref succeeded, which nothing softens (no allow_failure, no `when:` but
    // the default on_success).
    assert!(check.get("allow_failure").is_none());
    for job in ["build", "deploy"] {
        assert_eq!(doc[job]["needs"][0], "check-ref", "{job}");
        let whens = std::iter::once(&doc[job]["when"]).chain(
            doc[job]["rules"]
                .as_sequence()
                .into_iter()
                .flatten()
                .map(|r| &r["when"]),
        );
        for when in whens {
            assert!(
                when.is_null() || *when == "on_success",
                "{job}: when: {when:?}"
            );
        }
    }
    assert_eq!(doc["deploy"]["environment"], "production");
    // Deploy gets prod's verified bytes first (a failed get fails the job: `sh -e`, no `||`).
    let deploy: Vec<&str> = doc["deploy"]["script"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(s)
        .collect();
    let get = deploy
        .iter()
        .position(|l| {
            *l == "registry get \"$REGISTRY_NAME#prod\" -o deploy/artifact --json > deploy/registry-get.json"
        })
        .expect("the deploy job runs registry get NAME#prod");
    let fetch = deploy
        .iter()
        .position(|l| *l == "git fetch --force --tags origin")
        .unwrap();
    let ship = deploy
        .iter()
        .position(|l| l.starts_with("echo \"Deploy "))
        .unwrap();
    assert!(fetch < get && get < ship, "{deploy:?}");
    // Deploy jobs exist only for tags named like an assignment to prod.
    let re = tag_rule(&doc["deploy"]).expect("deploy has a $CI_COMMIT_TAG rule");
    for t in [
        "churn#prod",
        "churn#prod#3",
        "models=churn#prod#12",
        "a/b#prod#1",
    ] {
        assert!(matches(&re, t), "{re} should match {t}");
    }
    for t in [
        "churn#prod!#4",
        "churn@v1.0.0",
        "churn#production#1",
        "churn#staging#2",
        "churn@v1.0.0!",
        "churn@deprecated",
    ] {
        assert!(!matches(&re, t), "{re} should not match {t}");
    }
}
