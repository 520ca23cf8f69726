//! Which policy `check-ref --policy` and `audit` enforce: read from a branch nobody but its owner
//! can move, never from the pushed tag's own commit.

use anyhow::Result;

use crate::config::Config;
use crate::error::UserError;

/// The config whose policy `--policy` enforces. Not the work tree's: in CI that is the pushed
/// tag's own commit, so whoever pushes the tag would choose the policy it is checked against
/// (drop `promotion_order` in the tag's commit, and any promotion passes). Trusted, in order:
/// the branch or full commit id `--policy-ref` names; in a repository with a work tree,
/// origin's default branch as `git clone` records it (a symbolic `refs/remotes/origin/HEAD`);
/// the branch HEAD names when HEAD is not detached, in a bare repository (a server, the mirror
/// of `-C URL`) or a work tree without any remote (a developer's own repository).
/// Without any of them (a CI checkout detached at the tag, or a local branch made at it) it
/// fails rather than trust the tag's commit.
pub(crate) fn trusted_config(repo: &crate::git::Repo, from: Option<&str>) -> Result<Config> {
    trusted_source(repo, from, None).map(|(config, _)| config)
}

/// [`trusted_config`], and where it was read from, for a note: `'origin/main' (abc1234)`.
/// `judged` is the commit of the tag the policy will judge, if one: in a work tree, the branch
/// HEAD names is never trusted at it. A job that fetched the tag by URL into a
/// repository with no remote (`git fetch URL TAG && git checkout -B deploy FETCH_HEAD`) has
/// HEAD on a branch at the tag's own commit, whose policy is whatever the pusher put there.
pub(crate) fn trusted_source(
    repo: &crate::git::Repo,
    from: Option<&str>,
    judged: Option<&str>,
) -> Result<(Config, String)> {
    let load = |commit: &str, place: &str, shown: &str| -> Result<(Config, String)> {
        let config = Config::load_at(repo, commit, place)?;
        Ok((
            config,
            format!("{shown} ({})", &commit[..commit.len().min(7)]),
        ))
    };
    if let Some(rev) = from {
        let place = format!("'{rev}'");
        return load(&policy_commit(repo, rev)?, &place, &place);
    }
    let work_tree = repo.workdir().is_some();
    // origin's default branch, as `git clone` (or `git remote set-head origin --auto`) records
    // it: only a *symbolic* origin/HEAD counts. A pushed branch named `HEAD` arrives as a direct
    // ref of that name, and guessing `origin/main` or `origin/master` would let whoever can push
    // a branch of that name pick the policy where the default branch is called otherwise. Not
    // in a bare repository, where anyone who can push may create the branch it points at.
    if work_tree
        && let Some(branch) = repo.symbolic_ref("refs/remotes/origin/HEAD")
        && branch.starts_with("refs/remotes/origin/")
        && let Some(crate::git::RefTarget { name, commit }) = repo.ref_target(&branch)
    {
        let place = format!("'{}'", name.strip_prefix("refs/remotes/").unwrap_or(&name));
        return load(&commit, &place, &place);
    }
    // The branch HEAD names: in a bare repository (a server, a `-C URL` mirror) that is the
    // default branch. In a work tree that fetches from a remote (whatever its name: Jenkins
    // lets one choose it) it may be any branch, even one a CI job made at the pushed tag (`git
    // checkout -B build TAG`, Jenkins' "check out to a local branch"), whose commit the pusher
    // chose: only without a remote (a developer's own repository) is it theirs.
    let mut remotes = if work_tree {
        repo.remote_names()
    } else {
        Vec::new()
    };
    if work_tree && remotes.is_empty() && repo.config_string("remote.origin.fetch").is_some() {
        remotes.push("origin".to_string());
    }
    let head_branch = repo.head_branch();
    let short = |head: &str| head.strip_prefix("refs/heads/").unwrap_or(head).to_string();
    if let Some(head) = &head_branch
        && remotes.is_empty()
        && let Some((commit, place)) = crate::config::default_tree(repo)?
    {
        let shown = if place == "HEAD" {
            format!("'{}'", short(head))
        } else {
            place.clone()
        };
        // A bare repository's HEAD branch is the server's own default branch (protected where
        // it matters), and a tag of its tip is the common case: only a work tree, where a job
        // may have made the branch at the tag, refuses it.
        if work_tree && judged == Some(commit.as_str()) {
            return Err(UserError::new(format!(
                "found no branch to read the policy from: HEAD's branch {shown} is at the judged tag's own commit ({}), which is not trusted, since whoever pushes the tag chooses what it holds (a CI job may have made the branch at the pushed tag, as `git fetch URL TAG && git checkout -B deploy FETCH_HEAD` does)",
                &commit[..commit.len().min(7)]
            ))
            .with_hint(
                "name the branch that holds the policy: `--policy-ref main` (the repository's own branch), or fetch it first and name that (`--policy-ref origin/main`)",
            )
            .into());
        }
        return load(&commit, &place, &shown);
    }
    let remote = remotes.first().map_or("origin", String::as_str);
    let why = match &head_branch {
        Some(head) if !remotes.is_empty() => format!(
            "HEAD names the branch '{}', which is not trusted in a repository that fetches from {} (a CI job may have made it at the pushed tag, as `git checkout -B build TAG` does)",
            short(head),
            remotes.join(", ")
        ),
        _ => "HEAD is detached (as in a CI checkout of the tag)".to_string(),
    };
    Err(UserError::new(format!(
        "found no branch to read the policy from: {why}, and origin's default branch is not known (no origin/HEAD as `git clone` sets it); the tag's own commit is not trusted, since whoever pushes the tag chooses what it holds"
    ))
    .with_hint(format!(
        "name the default branch: `--policy-ref {remote}/main` (fetched with `git fetch {remote} +refs/heads/main:refs/remotes/{remote}/main`), or record it with `git remote set-head origin --auto`",
    ))
    .into())
}

/// The commit `--policy-ref REV` names: a full commit id, or a branch. git's own lookup tries
/// tags before remote-tracking branches, so with the tags fetched a pushed tag named
/// `origin/main` would win over the branch and bring its own policy: a tag, by name or as
/// `refs/tags/…`, is refused (a tag is whatever its pusher chose). A full id comes first (a
/// pushed branch may be named like one), and revision suffixes (`origin/main~0`, `^{commit}`,
/// `@{0}`) are refused: through them git would look the name up as a tag first again.
///
/// A name is `refs/heads/REV` or `refs/remotes/REV`; both existing is ambiguous (a local branch
/// `origin/main` made at the pushed tag would otherwise stand in for the fetched one), and the
/// full name must be given. In a bare repository (a server, a `-C URL` mirror) only
/// `refs/heads/REV` is read: anyone who can push may create `refs/remotes/*` there, and branch
/// protection covers only `refs/heads/*`.
fn policy_commit(repo: &crate::git::Repo, rev: &str) -> Result<String> {
    if rev.len() == 40 && rev.bytes().all(|b| b.is_ascii_hexdigit()) {
        return repo.resolve_commit(rev);
    }
    let hex = rev.bytes().all(|b| b.is_ascii_hexdigit());
    if rev.contains(['~', '^', '@', ':', '{']) || hex {
        return Err(UserError::new(format!(
            "--policy-ref '{rev}' is not a branch or a full commit id (an abbreviated id may be a pushed branch's name)"
        ))
        .with_hint("name the branch itself (`--policy-ref origin/main`) or a 40-character commit id")
        .into());
    }
    let bare = repo.workdir().is_none();
    let branch_hint = "name a branch (`--policy-ref origin/main`, fetched with `git fetch origin +refs/heads/main:refs/remotes/origin/main`) or a commit id";
    if rev.starts_with("refs/tags/") {
        return Err(tag_refused(rev, branch_hint));
    }
    if rev.starts_with("refs/") {
        if !(rev.starts_with("refs/heads/") || (!bare && rev.starts_with("refs/remotes/"))) {
            let read = if bare {
                "refs/heads/… in a bare repository, where anyone who can push may create any other ref"
            } else {
                "refs/heads/… or refs/remotes/…"
            };
            return Err(UserError::new(format!(
                "--policy-ref '{rev}' is not a branch: only {read} is read"
            ))
            .with_hint(branch_hint)
            .into());
        }
        return match repo.ref_target(rev) {
            Some(crate::git::RefTarget { commit, .. }) => Ok(commit),
            None => Err(UserError::new(format!(
                "--policy-ref '{rev}' names no commit here"
            ))
            .with_hint("fetch it first (`git fetch origin +refs/heads/main:refs/remotes/origin/main`), or give a full commit id")
            .into()),
        };
    }
    let head = repo.ref_target(&format!("refs/heads/{rev}"));
    let remote = (!bare)
        .then(|| repo.ref_target(&format!("refs/remotes/{rev}")))
        .flatten();
    match (head, remote) {
        (Some(_), Some(_)) => Err(UserError::new(format!(
            "--policy-ref '{rev}' is ambiguous: both the branch refs/heads/{rev} and the remote-tracking branch refs/remotes/{rev} exist (a local branch may have been made at a pushed tag)"
        ))
        .with_hint(format!(
            "name the full ref: `--policy-ref refs/remotes/{rev}` or `--policy-ref refs/heads/{rev}`"
        ))
        .into()),
        (Some(t), None) | (None, Some(t)) => Ok(t.commit),
        (None, None) if repo.ref_target(&format!("refs/tags/{rev}")).is_some() => {
            Err(tag_refused(rev, branch_hint))
        }
        (None, None) => {
            let looked = if bare {
                format!(
                    "no refs/heads/{rev}; a bare repository's refs/remotes/* is never read, since anyone who can push may create it"
                )
            } else {
                format!("neither refs/remotes/{rev} nor refs/heads/{rev}")
            };
            let hint = if bare {
                "name one of the repository's own branches (`--policy-ref main`), or give a full commit id"
            } else {
                "fetch it first (`git fetch origin +refs/heads/main:refs/remotes/origin/main`), or give a full commit id"
            };
            Err(UserError::new(format!(
                "--policy-ref '{rev}' is no branch here ({looked})"
            ))
            .with_hint(hint)
            .into())
        }
    }
}

/// The refusal of a tag as the policy's source.
fn tag_refused(rev: &str, hint: &str) -> anyhow::Error {
    UserError::new(format!(
        "--policy-ref '{rev}' names a tag, not a branch: a tag holds whatever its pusher chose, so its policy is not trusted"
    ))
    .with_hint(hint)
    .into()
}
