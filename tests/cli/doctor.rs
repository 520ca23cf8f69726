//! `registry doctor`: every kind of problem it knows, each with its fix (SPEC §4.5).

use crate::fixture::TestRepo;

#[test]
fn a_healthy_repository_has_no_problems() {
    let repo = TestRepo::new();
    repo.run(&["annotate", "churn", "--path", "m.pkl"]).ok();
    repo.write("m.pkl", "w");
    repo.commit("first");
    repo.run(&["register", "churn"]).ok();
    insta::assert_snapshot!(repo.t(&["doctor"]), @"
    $ registry doctor
    Checked 1 artifacts, 1 registry tags, 1 artifacts.yaml and 0 dvc.yaml files, the config and the policy.
    No problems found.
    [exit 0]
    ");
}

#[test]
fn every_problem_is_reported_with_a_fix() {
    let repo = TestRepo::new();
    repo.write(
        ".registry.yaml",
        "promotion_order: [dev, prod]\nrequire_digest: true\n",
    );
    repo.write("sub/artifacts.yaml", "bad: [\n");
    repo.write(
        "artifacts.yaml",
        "escapes:\n  path: ../../etc/passwd\n  virtual: false\n",
    );
    let c1 = repo.commit("first");
    let c2 = repo.commit("second");
    repo.run(&["register", "m", &c1]).ok();
    repo.git(&["tag", "-a", "m@v9.0.0", "-m", "hand-made", &c1]); // two versions on c1
    repo.git(&["tag", "-a", "m@v9.0.0#5", "-m", "hand-made", &c2]); // v9.0.0 on two commits
    repo.git(&["tag", "-a", "m@created", "-m", "hand-made", &c2]);
    repo.git(&["tag", "-a", "t@v1.0.0", "-m", "on a tree", "HEAD^{tree}"]);
    repo.git(&["tag", "n@v1.0.0", &c2]); // lightweight
    repo.run(&["register", "p", &c2]).ok();
    repo.run(&["assign", "p", "--version", "v0.0.1", "--stage", "prod"])
        .ok(); // skipped dev
    insta::assert_snapshot!(repo.t(&["doctor"]), @"
    $ registry doctor
    Checked 2 artifacts, 5 registry tags, 2 artifacts.yaml and 0 dvc.yaml files, the config and the policy.
    problem: sub/artifacts.yaml:2:1: invalid YAML: did not find expected node content at line 2 column 1, while parsing a flow node
        fix: correct sub/artifacts.yaml; `artifacts.yaml.example` shows every field
    problem: artifacts.yaml: path '../../etc/passwd' of 'escapes' leads outside the repository
        fix: use a path inside the repository, or mark 'escapes' `virtual: true`
    problem: tag 'm@created' uses the reserved '@created' form, which records nothing; it is ignored
        fix: delete it (`git tag -d m@created`, and `git push --delete origin m@created`): GTO fails on every command while it exists
    problem: tag 't@v1.0.0' points at a tree (dc5844ed134e6db86e50daee5bf214f5adb36457), not a commit; it is ignored
        fix: delete it (`git tag -d t@v1.0.0`, and `git push --delete origin t@v1.0.0`) and tag the commit instead
    problem: artifact 'm' has several versions on commit 989ec93: v0.0.1, v9.0.0; stage tags there go to the one registered last before them
        fix: keep one: `registry deregister m VERSION` for the others (GTO fails on every command while a commit has two versions)
    problem: version v9.0.0 of artifact 'm' is registered on several commits: 989ec93, 7122b1b
        fix: delete the registration tag on the wrong commit (`git tag -l 'm@v9.0.0*'` lists them) and register that commit under a new version
    problem: tag 'n@v1.0.0' has a registry name but is lightweight, so it means nothing
        fix: replace it by an annotated tag: `git tag -a -f n@v1.0.0 -m '…' $(git rev-parse n@v1.0.0)`, or delete it
    problem: registration 'm@v0.0.1' records no content digest (require_digest)
        fix: declare a path for 'm' in its dvc.yaml or artifacts.yaml (`registry annotate m --path …`), or give `--digest sha256:…` for a virtual artifact, and register again
    problem: registration 'm@v9.0.0' records no content digest (require_digest)
        fix: declare a path for 'm' in its dvc.yaml or artifacts.yaml (`registry annotate m --path …`), or give `--digest sha256:…` for a virtual artifact, and register again
    problem: registration 'm@v9.0.0#5' records no content digest (require_digest)
        fix: declare a path for 'm' in its dvc.yaml or artifacts.yaml (`registry annotate m --path …`), or give `--digest sha256:…` for a virtual artifact, and register again
    problem: registration 'p@v0.0.1' records no content digest (require_digest)
        fix: declare a path for 'p' in its dvc.yaml or artifacts.yaml (`registry annotate p --path …`), or give `--digest sha256:…` for a virtual artifact, and register again
    problem: 'p#prod#1' gives prod to p v0.0.1, which never held dev before (promotion_order: dev → prod)
        fix: promote v0.0.1 to dev first; to undo this one: `registry unassign p prod --version v0.0.1`
    --- stderr
    error: 12 problems found
    [exit 1]
    ");
    // A broken .gto does not stop the doctor; it is one more finding.
    repo.write(".gto", "stagez: [dev]\n");
    let run = repo.run(&["doctor"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("problem: Wrong config file"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("unknown key 'stagez'"),
        "{}",
        run.stdout
    );
}

#[test]
fn check_ref_policy_rejects_a_tag_that_breaks_it() {
    let repo = TestRepo::new();
    repo.write(".registry.yaml", "promotion_order: [dev, prod]\n");
    repo.commit("config");
    repo.run(&["register", "m"]).ok();
    repo.run(&["promote", "m", "dev"]).ok();
    repo.run(&["promote", "m", "prod"]).ok();
    // Checked while it is prod's newest event: after m#prod#3 the gate refuses it as stale.
    insta::assert_snapshot!(repo.t(&["check-ref", "m#prod#2", "--policy", "--policy-ref", "main", "--event"]), @"
    $ registry check-ref 'm#prod#2' --policy --policy-ref main --event
    assignment
    --- stderr
    policy from 'main' (9936b39)
    [exit 0]
    ");
    repo.commit("next");
    repo.run(&["register", "m"]).ok();
    repo.run(&["promote", "m", "prod"]).ok(); // v0.0.2 skipped dev
    insta::assert_snapshot!(repo.t(&["check-ref", "m#prod#3", "--policy", "--policy-ref", "main", "--event"]), @"
    $ registry check-ref 'm#prod#3' --policy --policy-ref main --event
    --- stderr
    policy from 'main' (50869e2)
    error: policy: 'm#prod#3' gives prod to m v0.0.2, which never held dev before (promotion_order: dev → prod)
    hint: promote v0.0.2 to dev first; to undo this one: `registry unassign m prod --version v0.0.2`
    [exit 1]
    ");
    // Without --policy the tag reads as usual: the policy reports, it never hides.
    assert_eq!(
        repo.run(&["check-ref", "m#prod#3", "--event"]).ok(),
        "assignment\n"
    );
}
