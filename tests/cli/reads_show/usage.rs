//! How `show` is called: one output format, known artifacts, valid options, and any directory
//! of the work tree or `-C` (reference §5.4).

use crate::reads::small_registry;

#[test]
fn only_one_output_format() {
    let repo = small_registry();
    insta::assert_snapshot!(repo.t(&["show", "--json", "--plain"]), @"
    $ registry show --json --plain
    --- stderr
    error: the argument '--json' cannot be used with '--plain'

    Usage: registry show --json [TARGET]

    For more information, try '--help'.
    [exit 2]
    ");
    insta::assert_snapshot!(repo.t(&["show", "churn", "--version", "--ref"]), @"
    $ registry show churn --version --ref
    --- stderr
    error: the argument '--version' cannot be used with '--ref'

    Usage: registry show --version <TARGET>

    For more information, try '--help'.
    [exit 2]
    ");
}

#[test]
fn unknown_artifact() {
    let repo = small_registry();
    insta::assert_snapshot!(repo.t(&["show", "nope"]), @"
    $ registry show nope
    --- stderr
    error: Cannot find artifact 'nope'
    hint: `registry show` lists the artifacts in this repository
    [exit 1]
    ");
    insta::assert_snapshot!(repo.t(&["show", "nope", "--json"]), @"
    $ registry show nope --json
    --- stderr
    error: Cannot find artifact 'nope'
    hint: `registry show` lists the artifacts in this repository
    [exit 1]
    ");
    insta::assert_snapshot!(repo.t(&["show", "nope@latest"]), @"
    $ registry show nope@latest
    --- stderr
    error: Cannot find artifact 'nope'
    hint: `registry show` lists the artifacts in this repository
    [exit 1]
    ");
}

#[test]
fn bad_options() {
    let repo = small_registry();
    insta::assert_snapshot!(repo.t(&["show", "--sort", "newest"]), @"
    $ registry show --sort newest
    --- stderr
    error: invalid value 'newest' for '--sort <SORT>'
      [possible values: timestamp, semver]

    For more information, try '--help'.
    [exit 2]
    ");
    insta::assert_snapshot!(repo.t(&["show", "--av", "-2"]), @"
    $ registry show --av -2
    --- stderr
    error: invalid value '-2' for '--av <ASSIGNMENTS_PER_VERSION>': give a count of 0 or more, or -1 for all

    For more information, try '--help'.
    [exit 2]
    ");
    insta::assert_snapshot!(repo.t(&["show", "--vs", "-2"]), @"
    $ registry show --vs -2
    --- stderr
    error: invalid value '-2' for '--vs <VERSIONS_PER_STAGE>': give a count of 0 or more, or -1 for all

    For more information, try '--help'.
    [exit 2]
    ");
}

#[test]
fn reads_from_a_subdirectory_and_with_dash_c() {
    let repo = small_registry();
    repo.write("sub/dir/file.txt", "x\n");
    let sub = repo.path().join("sub/dir");
    let run = repo.run_with(&["show", "--name"], |c| {
        c.current_dir(&sub);
    });
    insta::assert_snapshot!(run.transcript(), @"
    $ registry show --name
    churn
    rf
    [exit 0]
    ");
    let outside = repo
        .path()
        .parent()
        .expect("repo has a parent")
        .to_path_buf();
    let run = repo.run_with(&["-C", "repo", "history", "rf", "--json"], |c| {
        c.current_dir(&outside);
    });
    insta::assert_snapshot!(run.transcript(), @r#"
    $ registry -C repo history rf --json
    [
        {
            "timestamp": "2023-11-14T22:13:32+00:00",
            "artifact": "rf",
            "event": "assignment",
            "priority": 5,
            "version": "v0.0.1",
            "stage": "dev",
            "commit": "2d199a9ae072d4a1c823d06b148adcc4db1e4ade",
            "author": "Ada Tester",
            "author_email": "ada@example.com",
            "message": "Assigning stage dev to artifact rf version v0.0.1",
            "ref": "rf#dev#1",
            "digest": null,
            "signature": {
                "status": "unsigned",
                "format": null,
                "principal": null,
                "fingerprint": null,
                "reason": null
            }
        },
        {
            "timestamp": "2023-11-14T22:13:25+00:00",
            "artifact": "rf",
            "event": "registration",
            "priority": 3,
            "version": "v0.0.1",
            "stage": null,
            "commit": "2d199a9ae072d4a1c823d06b148adcc4db1e4ade",
            "author": "Ada Tester",
            "author_email": "ada@example.com",
            "message": "Registering artifact rf version v0.0.1",
            "ref": "rf@v0.0.1",
            "digest": null,
            "signature": {
                "status": "unsigned",
                "format": null,
                "principal": null,
                "fingerprint": null,
                "reason": null
            }
        }
    ]
    [exit 0]
    "#);
}
