//! Hostile arguments (issue 8, points 11 and 13): values the argument parser refuses before any
//! repository is opened, and full ref names that are not tags.

use crate::fixture::TestRepo;

/// A repository with one registered version, so a command that got past parsing would act.
fn one_version() -> TestRepo {
    let repo = TestRepo::new();
    repo.commit("first");
    repo.run(&["register", "churn"]).ok();
    repo
}

/// The tags now, to show that a refused command wrote nothing.
fn tags(repo: &TestRepo) -> String {
    repo.git(&["tag", "-l"])
}

#[test]
fn versions_that_are_not_semver_are_usage_errors_before_any_work() {
    let repo = one_version();
    let before = tags(&repo);
    for args in [
        &["register", "churn", "--version", "1.0.0"][..],
        &["register", "churn", "--version", "v1.0", "--dry-run"],
        &["register", "churn", "--version", "v01.0.0"],
        &["assign", "churn", "--stage", "prod", "--version", "9.9.9"],
        &["promote", "churn@1.0", "prod"],
        &["promote", "churn@v1.0.0-", "prod", "--dry-run"],
        &["unassign", "churn", "prod", "--version", "0.0.1"],
        &["deregister", "churn", "0.0.1"],
        &["deprecate", "churn", "x1.0.0"],
    ] {
        let run = repo.run(args);
        assert_eq!(run.code, 2, "{}", run.transcript());
        assert!(run.stderr.contains("not a version"), "{}", run.transcript());
        assert!(run.stdout.is_empty(), "{}", run.transcript());
    }
    assert_eq!(tags(&repo), before);
    // Parsing comes first: outside any repository it is still a usage error, not "not a repo".
    let nowhere = TestRepo::bare_dir();
    let run = nowhere.run(&["deregister", "churn", "0.0.1"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
}

#[test]
fn counts_below_minus_one_are_usage_errors() {
    let repo = one_version();
    insta::assert_snapshot!(repo.t(&["show", "--av", "-5"]), @"
    $ registry show --av -5
    --- stderr
    error: invalid value '-5' for '--av <ASSIGNMENTS_PER_VERSION>': give a count of 0 or more, or -1 for all

    For more information, try '--help'.
    [exit 2]
    ");
    let run = repo.run(&["show", "churn", "--vs", "-3"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    repo.run(&["show", "--av", "-1", "--vs", "0"]).ok();
}

#[test]
fn impossible_days_are_refused_not_rolled_over() {
    let repo = one_version();
    insta::assert_snapshot!(repo.t(&["show", "--at", "2026-02-31"]), @"
    $ registry show --at 2026-02-31
    --- stderr
    error: invalid value '2026-02-31' for '--at <WHEN>': '2026-02-31' is not a calendar day: parameter 'day' for `2026-02` is invalid, must be in range `1..=28`

    For more information, try '--help'.
    [exit 2]
    ");
    for bad in [
        "2026-13-01",
        "2026-04-31 12:00:00 +0000",
        "2026-02-29T00:00:00Z",
    ] {
        let run = repo.run(&["show", "--at", bad]);
        assert_eq!(run.code, 2, "{bad}: {}", run.transcript());
    }
    // A real leap day and the day of the tag still read.
    repo.run(&["show", "--at", "2024-02-29"]).ok();
    let out = repo
        .run(&["show", "churn", "--at", "2023-11-14"])
        .ok()
        .to_string();
    assert!(out.contains("v0.0.1"), "{out}");
}

#[test]
fn names_too_long_for_a_ref_file_are_refused_before_dry_run() {
    let repo = one_version();
    for len in [300, 4000] {
        let long = "a".repeat(len);
        for args in [
            vec!["register", long.as_str(), "--dry-run"],
            vec!["promote", "churn", long.as_str(), "--dry-run"],
            vec!["annotate", long.as_str(), "--path", "x"],
        ] {
            let run = repo.run(&args);
            assert_eq!(run.code, 2, "{len}: {}", run.transcript());
            assert!(!run.stdout.contains("Would create"), "{}", run.stdout);
            assert!(
                run.stderr
                    .contains(&format!("is {len} characters long; at most 100")),
                "{}",
                run.stderr
            );
        }
    }
    // 100 is allowed, and writes.
    let hundred = "b".repeat(100);
    repo.run(&["register", &hundred]).ok();
    assert!(tags(&repo).contains(&format!("{hundred}@v0.0.1")));
}

#[test]
fn check_ref_of_a_branch_or_remote_ref_says_nothing() {
    let repo = one_version();
    repo.git(&["branch", "fix#42"]);
    repo.git(&["branch", "release@v1.0.0"]);
    for r in [
        "refs/heads/fix#42",
        "refs/heads/release@v1.0.0",
        "refs/heads/churn@v0.0.1",
        "refs/remotes/origin/churn@v0.0.1",
        "refs/remotes/origin/churn#prod#1",
        "refs/pull/7/head",
    ] {
        for extra in [&[][..], &["--json"], &["--policy"], &["--event"]] {
            let mut args = vec!["check-ref", r];
            args.extend_from_slice(extra);
            let run = repo.run(&args);
            assert_eq!(run.code, 0, "{}", run.transcript());
            assert_eq!(run.stdout, "", "{}", run.transcript());
            assert_eq!(run.stderr, "", "{}", run.transcript());
        }
    }
    // The tag itself, by either spelling, still reads.
    for r in ["churn@v0.0.1", "refs/tags/churn@v0.0.1"] {
        let out = repo.run(&["check-ref", r]).ok().to_string();
        assert!(out.contains("was registered"), "{out}");
    }
}

/// No raw control character other than a newline, tab or carriage return.
fn clean(text: &str) -> bool {
    !text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
}

#[test]
fn annotate_refuses_control_characters_where_one_line_is_expected() {
    let repo = one_version();
    repo.run(&["annotate", "churn", "--path", "models/churn.pkl"])
        .ok();
    let before = std::fs::read_to_string(repo.path().join("artifacts.yaml")).unwrap();
    for args in [
        &[
            "annotate",
            "churn",
            "--path",
            "a\nArtifact-Digest: sha256:00",
        ][..],
        &["annotate", "churn", "--type", "model\r"],
        &["annotate", "churn", "--label", "x\x1b[31m"],
        &["annotate", "churn", "--description", "ok\x1b]52;c;aGk=\x07"],
        &["annotate", "churn", "--custom", "k=\x1b[2J"],
    ] {
        let run = repo.run(args);
        assert_eq!(run.code, 2, "{}", run.transcript());
        assert!(run.stderr.contains("control character"), "{}", run.stderr);
        assert!(
            clean(&run.stderr),
            "raw control character: {:?}",
            run.stderr
        );
    }
    assert_eq!(
        std::fs::read_to_string(repo.path().join("artifacts.yaml")).unwrap(),
        before
    );
    // Lines and tabs are text in a description.
    repo.run(&[
        "annotate",
        "churn",
        "--description",
        "two\nlines\tand a tab",
    ])
    .ok();
}

#[test]
fn usage_errors_quote_hostile_values_escaped_and_whole() {
    let repo = one_version();
    // (arguments, the value as the message must name it, escaped)
    for (args, named) in [
        (
            &["show", "--sort", "\x1b]52;c;aGk=\x07"][..],
            "\\x1b]52;c;aGk=\\x07",
        ),
        (&["register", "\x1b[2Jx"], "\\x1b[2Jx"),
        (&["promote", "churn", "st\x1b[31mage"], "st\\x1b[31mage"),
        (&["deregister", "churn", "v1\u{9b}31m"], "v1\\u{9b}31m"),
        (&["show", "--vs", "\x1b[2J"], "\\x1b[2J"),
        // Targets, NAME@VERSION, diff's versions and --to go through the specs' parsers,
        // whose messages quote the value (or its name part) a second time.
        (&["show", "x\x1b]0;t\x07"], "'x\\x1b]0;t\\x07'"),
        (&["promote", "ch\x1b[2J@v1.0.0", "prod"], "'ch\\x1b[2J'"),
        (
            &["diff", "churn", "v1\x1b[2J", "latest"],
            "'v1\\x1b[2J' is not a version",
        ),
        (&["verify", "ch\nerror: forged"], "'ch\\nerror: forged'"),
        (&["rollback", "churn", "prod", "--to=v1\n2"], "'v1\\n2'"),
        // Values built to overlap where clap quotes another value, or a second argument
        // (a `-m` from a pull request title), cannot smuggle a raw newline through.
        (
            &["show", "\x01' in '\\x01' in @1\nerror: forged\x01"],
            "1\\nerror: forged\\x01",
        ),
        (
            &[
                "register",
                "a",
                "-m",
                "\x01' for '--digest <sha256:HEX>'",
                "--digest",
                "a\nerror: forged\x01",
            ],
            "'a\\nerror: forged\\x01'",
        ),
        (&["show", "a\tb"], "'a\\tb'"),
        (&["show", "\n"], "'\\n'"),
        (&["show", "-d\nerror"], "unexpected argument"),
        (
            &["annotate", "churn", "--description", "a\nb\x1b[0m"],
            "'a\\nb\\x1b[0m'",
        ),
    ] {
        let run = repo.run(args);
        assert_eq!(run.code, 2, "{}", run.transcript());
        assert!(
            clean(&run.stderr),
            "raw control character: {:?}",
            run.stderr
        );
        assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
        assert!(run.stderr.contains(named), "{named} in {}", run.stderr);
        assert!(!run.stderr.contains('\t'), "raw tab: {:?}", run.stderr);
        assert!(
            run.stderr
                .ends_with("For more information, try '--help'.\n"),
            "{:?}",
            run.stderr
        );
        // A newline in a value cannot start a line of its own.
        assert_eq!(
            run.stderr
                .lines()
                .filter(|l| l.starts_with("error"))
                .count(),
            1,
            "{}",
            run.stderr
        );
    }
    // Past the parser, a value that is no date is tried as a revision: exit 1, still escaped.
    let run = repo.run(&["show", "--at", "2026-02-31\x1b[2J"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.stderr.contains("2026-02-31\\x1b[2J"), "{}", run.stderr);
}

/// Targets (`NAME@…`, `NAME#…`), `diff`'s versions, `promote`'s NAME@VERSION and STAGE,
/// `register --digest` and `--at` are parsed before anything is opened or fetched: with `-C`
/// naming a path that does not exist, or a URL, the usage error (exit 2) still comes first, and
/// no mirror of the URL is made.
#[test]
fn bad_specs_are_usage_errors_before_any_repository_is_opened_or_fetched() {
    let repo = one_version();
    let remote = repo.path().parent().unwrap().join("remote.git");
    repo.git(&["clone", "-q", "--bare", ".", remote.to_str().unwrap()]);
    let url = format!("file://{}", remote.display());
    let missing = repo.path().join("no/such/repo");
    let digest = "--digest=sha256:NOTHEX";
    let cases: [(&[&str], &str); 11] = [
        (
            &["show", "churn@1.0"],
            "'1.0' in 'churn@1.0' is not a version",
        ),
        (&["show", "churn#p.x"], "Invalid value 'p.x'."),
        (&["describe", "a.b@latest"], "Invalid value 'a.b'."),
        (&["verify", "churn@v1"], "is not a version"),
        (
            &["diff", "churn", "v0.0.1", "nonsense"],
            "'nonsense' is not a version",
        ),
        (&["diff", "churn", "#p.x", "latest"], "Invalid value 'p.x'."),
        (&["promote", "churn@1.0", "prod"], "not a version"),
        (
            &["promote", "churn#prod", "prod"],
            "Invalid value 'churn#prod'.",
        ),
        (&["promote", "churn", "p.x"], "Invalid value 'p.x'."),
        (
            &["register", "churn", digest],
            "not sha256:<64 lower-case hex digits>",
        ),
        (&["show", "--at", "2026-02-31"], "is not a calendar day"),
    ];
    for (args, message) in cases {
        for at in [url.as_str(), missing.to_str().unwrap()] {
            let mut full = vec!["-C", at];
            full.extend_from_slice(args);
            let run = repo.run(&full);
            assert_eq!(run.code, 2, "{}", run.transcript());
            assert!(run.stderr.contains(message), "{}", run.transcript());
            assert!(run.stdout.is_empty(), "{}", run.transcript());
        }
    }
    assert!(
        !repo.home().join(".cache/registry/mirrors").exists(),
        "nothing was fetched"
    );
    // The same URL with good arguments is read (through a mirror), so the checks above prove
    // that parsing came first.
    let run = repo.run(&["-C", &url, "show", "churn@latest", "--version"]);
    assert_eq!(run.ok(), "v0.0.1\n");
    assert!(repo.home().join(".cache/registry/mirrors").exists());
}
