//! Hand-made oddities never take the registry down (SPEC §3, §8; reference §3.2, §3.5, §4 step 4,
//! §14 B1), and ties at equal tagger seconds (reference §4.1, §4.3, B2).

use crate::fixture::TestRepo;
use crate::reads::{ok, tag};

/// `good` with v1.0.0 in prod, next to which the oddities are put.
fn with_good_artifact() -> (TestRepo, String) {
    let repo = TestRepo::new();
    repo.write("model.txt", "weights\n");
    let c1 = repo.commit("c1");
    ok(&repo, &["register", "good", &c1, "--version", "v1.0.0"]);
    ok(&repo, &["promote", "good", "prod"]);
    (repo, c1)
}

#[test]
fn tag_on_a_tree() {
    let (repo, _) = with_good_artifact();
    tag(&repo, "m@v9.0.0", "HEAD^{tree}");
    tag(&repo, "good@v9.0.0", "HEAD^{tree}");
    insta::assert_snapshot!(repo.t(&["show"]), @"
    $ registry show
    ┌──────┬────────┬────────┐
    │ name ┆ latest ┆ #prod  │
    ╞══════╪════════╪════════╡
    │ good ┆ v1.0.0 ┆ v1.0.0 │
    └──────┴────────┴────────┘
    --- stderr
    warning: tag 'good@v9.0.0' points at a tree (f84962720f3130b29153b940ae7facebaef3a18a), not a commit; it is ignored (`registry doctor` tells more)
    warning: tag 'm@v9.0.0' points at a tree (f84962720f3130b29153b940ae7facebaef3a18a), not a commit; it is ignored (`registry doctor` tells more)
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "good"]), @"
    $ registry show good
    ┌──────────┬─────────┬───────┬───────────────────────────┬─────────────┐
    │ artifact ┆ version ┆ stage ┆ created_at                ┆ ref         │
    ╞══════════╪═════════╪═══════╪═══════════════════════════╪═════════════╡
    │ good     ┆ v1.0.0  ┆ prod  ┆ 2023-11-14 22:13:24+00:00 ┆ good@v1.0.0 │
    └──────────┴─────────┴───────┴───────────────────────────┴─────────────┘
    --- stderr
    warning: tag 'good@v9.0.0' points at a tree (f84962720f3130b29153b940ae7facebaef3a18a), not a commit; it is ignored (`registry doctor` tells more)
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["history"]), @"
    $ registry history
    ┌───────────────────────────┬──────────┬──────────────┬─────────┬───────┬─────────┬────────────┬─────────────┐
    │ timestamp                 ┆ artifact ┆ event        ┆ version ┆ stage ┆ commit  ┆ author     ┆ ref         │
    ╞═══════════════════════════╪══════════╪══════════════╪═════════╪═══════╪═════════╪════════════╪═════════════╡
    │ 2023-11-14 22:13:25+00:00 ┆ good     ┆ assignment   ┆ v1.0.0  ┆ prod  ┆ 14aa842 ┆ Ada Tester ┆ good#prod#1 │
    │ 2023-11-14 22:13:24+00:00 ┆ good     ┆ registration ┆ v1.0.0  ┆ -     ┆ 14aa842 ┆ Ada Tester ┆ good@v1.0.0 │
    └───────────────────────────┴──────────┴──────────────┴─────────┴───────┴─────────┴────────────┴─────────────┘
    --- stderr
    warning: tag 'good@v9.0.0' points at a tree (f84962720f3130b29153b940ae7facebaef3a18a), not a commit; it is ignored (`registry doctor` tells more)
    warning: tag 'm@v9.0.0' points at a tree (f84962720f3130b29153b940ae7facebaef3a18a), not a commit; it is ignored (`registry doctor` tells more)
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["check-ref", "good@v9.0.0"]), @"
    $ registry check-ref good@v9.0.0
    --- stderr
    warning: tag 'good@v9.0.0' points at a tree (f84962720f3130b29153b940ae7facebaef3a18a), not a commit; it is ignored (`registry doctor` tells more)
    [exit 0]
    ");
}

#[test]
fn tag_on_a_blob() {
    let (repo, _) = with_good_artifact();
    tag(&repo, "good#prod#9", "HEAD:model.txt");
    insta::assert_snapshot!(repo.t(&["show"]), @"
    $ registry show
    ┌──────┬────────┬────────┐
    │ name ┆ latest ┆ #prod  │
    ╞══════╪════════╪════════╡
    │ good ┆ v1.0.0 ┆ v1.0.0 │
    └──────┴────────┴────────┘
    --- stderr
    warning: tag 'good#prod#9' points at a blob (05424f2a4c8a54450a2dcca24ca1f089332afa91), not a commit; it is ignored (`registry doctor` tells more)
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "good#prod", "--version"]), @"
    $ registry show 'good#prod' --version
    v1.0.0
    --- stderr
    warning: tag 'good#prod#9' points at a blob (05424f2a4c8a54450a2dcca24ca1f089332afa91), not a commit; it is ignored (`registry doctor` tells more)
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["stages"]), @"
    $ registry stages
    prod
    --- stderr
    warning: tag 'good#prod#9' points at a blob (05424f2a4c8a54450a2dcca24ca1f089332afa91), not a commit; it is ignored (`registry doctor` tells more)
    [exit 0]
    ");
}

#[test]
fn created_tag_b1() {
    // GTO: every command fails with "Unexpected error: 'action'". Here it is read around.
    let (repo, c1) = with_good_artifact();
    tag(&repo, "good@created", &c1);
    tag(&repo, "fresh@created", &c1);
    insta::assert_snapshot!(repo.t(&["show"]), @"
    $ registry show
    ┌──────┬────────┬────────┐
    │ name ┆ latest ┆ #prod  │
    ╞══════╪════════╪════════╡
    │ good ┆ v1.0.0 ┆ v1.0.0 │
    └──────┴────────┴────────┘
    --- stderr
    warning: tag 'fresh@created' uses the reserved '@created' form, which records nothing; it is ignored (`registry doctor` tells more)
    warning: tag 'good@created' uses the reserved '@created' form, which records nothing; it is ignored (`registry doctor` tells more)
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "--json"]), @r#"
    $ registry show --json
    {
        "good": {
            "version": "v1.0.0",
            "stage": {
                "prod": "v1.0.0"
            },
            "registered": true,
            "active": true
        }
    }
    --- stderr
    warning: tag 'fresh@created' uses the reserved '@created' form, which records nothing; it is ignored (`registry doctor` tells more)
    warning: tag 'good@created' uses the reserved '@created' form, which records nothing; it is ignored (`registry doctor` tells more)
    [exit 0]
    "#);
    insta::assert_snapshot!(repo.t(&["show", "fresh"]), @"
    $ registry show fresh
    --- stderr
    warning: tag 'fresh@created' uses the reserved '@created' form, which records nothing; it is ignored (`registry doctor` tells more)
    error: Cannot find artifact 'fresh'
    hint: `registry show` lists the artifacts in this repository
    [exit 1]
    ");
    insta::assert_snapshot!(repo.t(&["history"]), @"
    $ registry history
    ┌───────────────────────────┬──────────┬──────────────┬─────────┬───────┬─────────┬────────────┬─────────────┐
    │ timestamp                 ┆ artifact ┆ event        ┆ version ┆ stage ┆ commit  ┆ author     ┆ ref         │
    ╞═══════════════════════════╪══════════╪══════════════╪═════════╪═══════╪═════════╪════════════╪═════════════╡
    │ 2023-11-14 22:13:25+00:00 ┆ good     ┆ assignment   ┆ v1.0.0  ┆ prod  ┆ 14aa842 ┆ Ada Tester ┆ good#prod#1 │
    │ 2023-11-14 22:13:24+00:00 ┆ good     ┆ registration ┆ v1.0.0  ┆ -     ┆ 14aa842 ┆ Ada Tester ┆ good@v1.0.0 │
    └───────────────────────────┴──────────┴──────────────┴─────────┴───────┴─────────┴────────────┴─────────────┘
    --- stderr
    warning: tag 'fresh@created' uses the reserved '@created' form, which records nothing; it is ignored (`registry doctor` tells more)
    warning: tag 'good@created' uses the reserved '@created' form, which records nothing; it is ignored (`registry doctor` tells more)
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["check-ref", "good@created"]), @"
    $ registry check-ref good@created
    --- stderr
    warning: tag 'good@created' uses the reserved '@created' form, which records nothing; it is ignored (`registry doctor` tells more)
    [exit 0]
    ");
}

#[test]
fn two_versions_on_one_commit() {
    // GTO: every command fails with "Multiple versions are not allowed on the same Git commit".
    let (repo, _) = with_good_artifact();
    let c2 = repo.commit("c2");
    tag(&repo, "m@v1.0.0", &c2);
    tag(&repo, "m@v1.1.0", &c2);
    ok(&repo, &["register", "other"]);
    insta::assert_snapshot!(repo.t(&["show"]), @"
    $ registry show
    ┌───────┬────────┬────────┐
    │ name  ┆ latest ┆ #prod  │
    ╞═══════╪════════╪════════╡
    │ good  ┆ v1.0.0 ┆ v1.0.0 │
    │ m     ┆ v1.1.0 ┆ -      │
    │ other ┆ v0.0.1 ┆ -      │
    └───────┴────────┴────────┘
    --- stderr
    warning: artifact 'm' has several versions on commit 6c3ca42: v1.0.0, v1.1.0; stage tags there go to the one registered last before them (`registry doctor` tells more)
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "m"]), @"
    $ registry show m
    ┌──────────┬─────────┬───────┬───────────────────────────┬──────────┐
    │ artifact ┆ version ┆ stage ┆ created_at                ┆ ref      │
    ╞══════════╪═════════╪═══════╪═══════════════════════════╪══════════╡
    │ m        ┆ v1.1.0  ┆ -     ┆ 2023-11-14 22:13:30+00:00 ┆ m@v1.1.0 │
    │ m        ┆ v1.0.0  ┆ -     ┆ 2023-11-14 22:13:29+00:00 ┆ m@v1.0.0 │
    └──────────┴─────────┴───────┴───────────────────────────┴──────────┘
    --- stderr
    warning: artifact 'm' has several versions on commit 6c3ca42: v1.0.0, v1.1.0; stage tags there go to the one registered last before them (`registry doctor` tells more)
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["history", "m"]), @"
    $ registry history m
    ┌───────────────────────────┬──────────┬──────────────┬─────────┬───────┬─────────┬────────────┬──────────┐
    │ timestamp                 ┆ artifact ┆ event        ┆ version ┆ stage ┆ commit  ┆ author     ┆ ref      │
    ╞═══════════════════════════╪══════════╪══════════════╪═════════╪═══════╪═════════╪════════════╪══════════╡
    │ 2023-11-14 22:13:30+00:00 ┆ m        ┆ registration ┆ v1.1.0  ┆ -     ┆ 6c3ca42 ┆ Ada Tester ┆ m@v1.1.0 │
    │ 2023-11-14 22:13:29+00:00 ┆ m        ┆ registration ┆ v1.0.0  ┆ -     ┆ 6c3ca42 ┆ Ada Tester ┆ m@v1.0.0 │
    └───────────────────────────┴──────────┴──────────────┴─────────┴───────┴─────────┴────────────┴──────────┘
    --- stderr
    warning: artifact 'm' has several versions on commit 6c3ca42: v1.0.0, v1.1.0; stage tags there go to the one registered last before them (`registry doctor` tells more)
    [exit 0]
    ");
    // The other artifacts are unaffected, and the warning is only about `m`.
    insta::assert_snapshot!(repo.t(&["show", "good"]), @"
    $ registry show good
    ┌──────────┬─────────┬───────┬───────────────────────────┬─────────────┐
    │ artifact ┆ version ┆ stage ┆ created_at                ┆ ref         │
    ╞══════════╪═════════╪═══════╪═══════════════════════════╪═════════════╡
    │ good     ┆ v1.0.0  ┆ prod  ┆ 2023-11-14 22:13:24+00:00 ┆ good@v1.0.0 │
    └──────────┴─────────┴───────┴───────────────────────────┴─────────────┘
    [exit 0]
    ");
}

#[test]
fn two_versions_on_one_commit_and_a_stage_there() {
    // A stage tag on that commit goes to the version registered last before it.
    let repo = TestRepo::new();
    let c1 = repo.commit("c1");
    tag(&repo, "m@v1.0.0", &c1);
    tag(&repo, "m@v1.1.0", &c1);
    tag(&repo, "m#prod#1", &c1);
    insta::assert_snapshot!(repo.t(&["show", "m"]), @"
    $ registry show m
    ┌──────────┬─────────┬───────┬───────────────────────────┬──────────┐
    │ artifact ┆ version ┆ stage ┆ created_at                ┆ ref      │
    ╞══════════╪═════════╪═══════╪═══════════════════════════╪══════════╡
    │ m        ┆ v1.1.0  ┆ prod  ┆ 2023-11-14 22:13:25+00:00 ┆ m@v1.1.0 │
    │ m        ┆ v1.0.0  ┆ -     ┆ 2023-11-14 22:13:24+00:00 ┆ m@v1.0.0 │
    └──────────┴─────────┴───────┴───────────────────────────┴──────────┘
    --- stderr
    warning: artifact 'm' has several versions on commit 33efecf: v1.0.0, v1.1.0; stage tags there go to the one registered last before them (`registry doctor` tells more)
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["check-ref", "m#prod#1", "--version"]), @"
    $ registry check-ref 'm#prod#1' --version
    v1.1.0
    --- stderr
    warning: artifact 'm' has several versions on commit 33efecf: v1.0.0, v1.1.0; stage tags there go to the one registered last before them (`registry doctor` tells more)
    [exit 0]
    ");
}

#[test]
fn same_version_on_two_commits() {
    // Accepted by GTO too: two rows.
    let repo = TestRepo::new();
    let c1 = repo.commit("c1");
    let c2 = repo.commit("c2");
    tag(&repo, "m@v1.0.0", &c1);
    tag(&repo, "m@v1.0.0#2", &c2);
    insta::assert_snapshot!(repo.t(&["show"]), @"
    $ registry show
    ┌──────┬────────┐
    │ name ┆ latest │
    ╞══════╪════════╡
    │ m    ┆ v1.0.0 │
    └──────┴────────┘
    --- stderr
    warning: version v1.0.0 of artifact 'm' is registered on several commits: 33efecf, 94406c6 (`registry doctor` tells more)
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "m"]), @"
    $ registry show m
    ┌──────────┬─────────┬───────┬───────────────────────────┬────────────┐
    │ artifact ┆ version ┆ stage ┆ created_at                ┆ ref        │
    ╞══════════╪═════════╪═══════╪═══════════════════════════╪════════════╡
    │ m        ┆ v1.0.0  ┆ -     ┆ 2023-11-14 22:13:28+00:00 ┆ m@v1.0.0#2 │
    │ m        ┆ v1.0.0  ┆ -     ┆ 2023-11-14 22:13:27+00:00 ┆ m@v1.0.0   │
    └──────────┴─────────┴───────┴───────────────────────────┴────────────┘
    --- stderr
    warning: version v1.0.0 of artifact 'm' is registered on several commits: 33efecf, 94406c6 (`registry doctor` tells more)
    [exit 0]
    ");
}

#[test]
fn lightweight_tag_with_a_registry_name_is_ignored() {
    let (repo, c1) = with_good_artifact();
    repo.git(&["tag", "good@v5.0.0", &c1]);
    repo.git(&["tag", "good#dev", &c1]);
    repo.git(&["tag", "light@v1.0.0", &c1]);
    insta::assert_snapshot!(repo.t(&["show"]), @"
    $ registry show
    ┌──────┬────────┬────────┐
    │ name ┆ latest ┆ #prod  │
    ╞══════╪════════╪════════╡
    │ good ┆ v1.0.0 ┆ v1.0.0 │
    └──────┴────────┴────────┘
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "good"]), @"
    $ registry show good
    ┌──────────┬─────────┬───────┬───────────────────────────┬─────────────┐
    │ artifact ┆ version ┆ stage ┆ created_at                ┆ ref         │
    ╞══════════╪═════════╪═══════╪═══════════════════════════╪═════════════╡
    │ good     ┆ v1.0.0  ┆ prod  ┆ 2023-11-14 22:13:24+00:00 ┆ good@v1.0.0 │
    └──────────┴─────────┴───────┴───────────────────────────┴─────────────┘
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["history"]), @"
    $ registry history
    ┌───────────────────────────┬──────────┬──────────────┬─────────┬───────┬─────────┬────────────┬─────────────┐
    │ timestamp                 ┆ artifact ┆ event        ┆ version ┆ stage ┆ commit  ┆ author     ┆ ref         │
    ╞═══════════════════════════╪══════════╪══════════════╪═════════╪═══════╪═════════╪════════════╪═════════════╡
    │ 2023-11-14 22:13:25+00:00 ┆ good     ┆ assignment   ┆ v1.0.0  ┆ prod  ┆ 14aa842 ┆ Ada Tester ┆ good#prod#1 │
    │ 2023-11-14 22:13:24+00:00 ┆ good     ┆ registration ┆ v1.0.0  ┆ -     ┆ 14aa842 ┆ Ada Tester ┆ good@v1.0.0 │
    └───────────────────────────┴──────────┴──────────────┴─────────┴───────┴─────────┴────────────┴─────────────┘
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["stages"]), @"
    $ registry stages
    prod
    [exit 0]
    ");
}

#[test]
fn non_registry_tags_are_ignored_silently() {
    let (repo, c1) = with_good_artifact();
    tag(&repo, "v1.2.3", &c1);
    tag(&repo, "model@v1", &c1);
    tag(&repo, "model-prod", &c1);
    repo.git(&["tag", "release", &c1]);
    insta::assert_snapshot!(repo.t(&["show"]), @"
    $ registry show
    ┌──────┬────────┬────────┐
    │ name ┆ latest ┆ #prod  │
    ╞══════╪════════╪════════╡
    │ good ┆ v1.0.0 ┆ v1.0.0 │
    └──────┴────────┴────────┘
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["history"]), @"
    $ registry history
    ┌───────────────────────────┬──────────┬──────────────┬─────────┬───────┬─────────┬────────────┬─────────────┐
    │ timestamp                 ┆ artifact ┆ event        ┆ version ┆ stage ┆ commit  ┆ author     ┆ ref         │
    ╞═══════════════════════════╪══════════╪══════════════╪═════════╪═══════╪═════════╪════════════╪═════════════╡
    │ 2023-11-14 22:13:25+00:00 ┆ good     ┆ assignment   ┆ v1.0.0  ┆ prod  ┆ 14aa842 ┆ Ada Tester ┆ good#prod#1 │
    │ 2023-11-14 22:13:24+00:00 ┆ good     ┆ registration ┆ v1.0.0  ┆ -     ┆ 14aa842 ┆ Ada Tester ┆ good@v1.0.0 │
    └───────────────────────────┴──────────┴──────────────┴─────────┴───────┴─────────┴────────────┴─────────────┘
    [exit 0]
    ");
}

#[test]
fn legacy_stage_with_number_reads_as_a_stage() {
    // GTO 0.0.x wrote `name#stage-N`; it reads as stage `stage-N` (reference §3.5).
    let (repo, c1) = with_good_artifact();
    tag(&repo, "good#staging-5", &c1);
    insta::assert_snapshot!(repo.t(&["show"]), @"
    $ registry show
    ┌──────┬────────┬────────┬────────────┐
    │ name ┆ latest ┆ #prod  ┆ #staging-5 │
    ╞══════╪════════╪════════╪════════════╡
    │ good ┆ v1.0.0 ┆ v1.0.0 ┆ v1.0.0     │
    └──────┴────────┴────────┴────────────┘
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["check-ref", "good#staging-5", "--stage"]), @"
    $ registry check-ref 'good#staging-5' --stage
    staging-5
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "good#staging-5", "--version"]), @"
    $ registry show 'good#staging-5' --version
    v1.0.0
    [exit 0]
    ");
}

// ---------------------------------------------------------------------------------------------
// Ties at one tagger second

const T: i64 = 1_700_100_000;

#[test]
fn unassignment_beats_assignment_in_the_same_second() {
    let repo = TestRepo::new();
    let c1 = repo.commit("c1");
    ok(&repo, &["register", "m", &c1, "--version", "v1.0.0"]);
    repo.set_clock(T);
    tag(&repo, "m#dev#1", &c1);
    repo.set_clock(T);
    tag(&repo, "m#dev!#2", &c1);
    insta::assert_snapshot!(repo.t(&["show"]), @"
    $ registry show
    ┌──────┬────────┐
    │ name ┆ latest │
    ╞══════╪════════╡
    │ m    ┆ v1.0.0 │
    └──────┴────────┘
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["stages", "--used"]), @"
    $ registry stages --used
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "m#dev"]), @"
    $ registry show 'm#dev'
    Nothing found in the current workspace
    [exit 0]
    ");
}

#[test]
fn unassignment_beats_assignment_whatever_the_tag_names() {
    // `m`: simple forms, no counters, and `m#dev` sorts before `m#dev!`.
    // `n`: the assignment carries the higher counter. GTO's tie-break comes first; the counter
    // only breaks ties GTO leaves open (SPEC §3). Either way the unassignment wins.
    let repo = TestRepo::new();
    let c1 = repo.commit("c1");
    ok(&repo, &["register", "m", &c1, "--version", "v1.0.0"]);
    ok(&repo, &["register", "n", &c1, "--version", "v1.0.0"]);
    ok(&repo, &["register", "keep", &c1, "--version", "v1.0.0"]);
    ok(&repo, &["promote", "keep", "dev"]);
    repo.set_clock(T);
    tag(&repo, "m#dev!", &c1);
    repo.set_clock(T);
    tag(&repo, "m#dev", &c1);
    repo.set_clock(T);
    tag(&repo, "n#dev!#1", &c1);
    repo.set_clock(T);
    tag(&repo, "n#dev#2", &c1);
    insta::assert_snapshot!(repo.t(&["show"]), @"
    $ registry show
    ┌──────┬────────┬────────┐
    │ name ┆ latest ┆ #dev   │
    ╞══════╪════════╪════════╡
    │ keep ┆ v1.0.0 ┆ v1.0.0 │
    │ m    ┆ v1.0.0 ┆ -      │
    │ n    ┆ v1.0.0 ┆ -      │
    └──────┴────────┴────────┘
    [exit 0]
    ");
}

#[test]
fn deregistration_beats_registration_in_the_same_second() {
    let repo = TestRepo::new();
    let c1 = repo.commit("c1");
    let c2 = repo.commit("c2");
    ok(&repo, &["register", "m", &c1, "--version", "v1.0.0"]);
    repo.set_clock(T);
    tag(&repo, "m@v2.0.0!", &c2);
    repo.set_clock(T);
    tag(&repo, "m@v2.0.0", &c2);
    insta::assert_snapshot!(repo.t(&["show"]), @"
    $ registry show
    ┌──────┬────────┐
    │ name ┆ latest │
    ╞══════╪════════╡
    │ m    ┆ v1.0.0 │
    └──────┴────────┘
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "m"]), @"
    $ registry show m
    ┌──────────┬─────────┬───────┬───────────────────────────┬──────────┐
    │ artifact ┆ version ┆ stage ┆ created_at                ┆ ref      │
    ╞══════════╪═════════╪═══════╪═══════════════════════════╪══════════╡
    │ m        ┆ v1.0.0  ┆ -     ┆ 2023-11-14 22:13:27+00:00 ┆ m@v1.0.0 │
    └──────────┴─────────┴───────┴───────────────────────────┴──────────┘
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "m", "-d"]), @"
    $ registry show m -d
    ┌──────────┬─────────┬───────┬───────────────────────────┬──────────┐
    │ artifact ┆ version ┆ stage ┆ created_at                ┆ ref      │
    ╞══════════╪═════════╪═══════╪═══════════════════════════╪══════════╡
    │ m        ┆ v2.0.0  ┆ -     ┆ 2023-11-16 02:00:00+00:00 ┆ m@v2.0.0 │
    │ m        ┆ v1.0.0  ┆ -     ┆ 2023-11-14 22:13:27+00:00 ┆ m@v1.0.0 │
    └──────────┴─────────┴───────┴───────────────────────────┴──────────┘
    [exit 0]
    ");
}

#[test]
fn deprecation_and_registration_in_the_same_second_is_not_deprecated() {
    let repo = TestRepo::new();
    let c1 = repo.commit("c1");
    repo.set_clock(T);
    tag(&repo, "m@deprecated", &c1);
    repo.set_clock(T);
    tag(&repo, "m@v1.0.0", &c1);
    insta::assert_snapshot!(repo.t(&["show"]), @"
    $ registry show
    ┌──────┬────────┐
    │ name ┆ latest │
    ╞══════╪════════╡
    │ m    ┆ v1.0.0 │
    └──────┴────────┘
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "--json"]), @r#"
    $ registry show --json
    {
        "m": {
            "version": "v1.0.0",
            "stage": {},
            "registered": true,
            "active": true
        }
    }
    [exit 0]
    "#);
}

#[test]
fn deprecation_one_second_later_is_deprecated() {
    let repo = TestRepo::new();
    let c1 = repo.commit("c1");
    repo.set_clock(T);
    tag(&repo, "m@v1.0.0", &c1);
    repo.set_clock(T + 1);
    tag(&repo, "m@deprecated", &c1);
    insta::assert_snapshot!(repo.t(&["show"]), @"
    $ registry show
    Nothing found in the current workspace
    [exit 0]
    ");
}

#[test]
fn two_versions_take_a_stage_in_the_same_second_lower_semver_wins() {
    let repo = TestRepo::new();
    let c1 = repo.commit("c1");
    let c2 = repo.commit("c2");
    ok(&repo, &["register", "m", &c1, "--version", "v1.0.0"]);
    ok(&repo, &["register", "m", &c2, "--version", "v2.0.0"]);
    repo.set_clock(T);
    tag(&repo, "m#dev#3", &c2);
    repo.set_clock(T);
    tag(&repo, "m#dev#4", &c1);
    insta::assert_snapshot!(repo.t(&["show"]), @"
    $ registry show
    ┌──────┬────────┬────────┐
    │ name ┆ latest ┆ #dev   │
    ╞══════╪════════╪════════╡
    │ m    ┆ v2.0.0 ┆ v1.0.0 │
    └──────┴────────┴────────┘
    [exit 0]
    ");
    insta::assert_snapshot!(repo.t(&["show", "m", "--vs", "-1"]), @"
    $ registry show m --vs -1
    ┌──────────┬─────────┬───────┬───────────────────────────┬──────────┐
    │ artifact ┆ version ┆ stage ┆ created_at                ┆ ref      │
    ╞══════════╪═════════╪═══════╪═══════════════════════════╪══════════╡
    │ m        ┆ v2.0.0  ┆ dev   ┆ 2023-11-14 22:13:28+00:00 ┆ m@v2.0.0 │
    │ m        ┆ v1.0.0  ┆ dev   ┆ 2023-11-14 22:13:27+00:00 ┆ m@v1.0.0 │
    └──────────┴─────────┴───────┴───────────────────────────┴──────────┘
    [exit 0]
    ");
}

#[test]
fn counters_do_not_order_events_time_does() {
    // A `#prod#9` tag older than `#prod#3` loses (reference §4.3).
    let repo = TestRepo::new();
    let c1 = repo.commit("c1");
    let c2 = repo.commit("c2");
    ok(&repo, &["register", "m", &c1, "--version", "v1.0.0"]);
    ok(&repo, &["register", "m", &c2, "--version", "v2.0.0"]);
    tag(&repo, "m#prod#9", &c2);
    tag(&repo, "m#prod#3", &c1);
    insta::assert_snapshot!(repo.t(&["show", "m#prod", "--version"]), @"
    $ registry show 'm#prod' --version
    v1.0.0
    [exit 0]
    ");
}
