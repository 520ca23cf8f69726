//! The tag listing's tests, checked against libgit2 and against hostile repositories: the
//! shared fixtures here (libgit2's reading as the reference, a one-commit repository), one
//! file per idea under `tag_tests/`.

use std::path::Path;

use git2::{ObjectType, Repository};

use super::Repo;
use super::loose::*;
use super::read_tags::*;
use super::tag_object::*;
use super::tag_refs::*;
use crate::registry::event::{RawTag, Target};
use crate::registry::name::ArtifactName;
use crate::registry::time::Timestamp;

/// libgit2's reading of a tag object: the reference our parser is checked against.
fn read_tag_libgit2(repo: &Repository, name: &str, oid: git2::Oid) -> Option<RawTag> {
    let object = repo.find_object(oid, None).ok()?;
    let tag = object.as_tag()?;
    let target = match tag.target_type() {
        Some(ObjectType::Commit) => Target::Commit(tag.target_id().to_string()),
        Some(ObjectType::Tag) => match tag.target().and_then(|t| t.peel(ObjectType::Commit)) {
            Ok(commit) => Target::Commit(commit.id().to_string()),
            Err(_) => Target::Other {
                kind: "tag chain that ends in no commit".into(),
                id: tag.target_id().to_string(),
            },
        },
        other => Target::Other {
            kind: other.map_or("unknown object", |t| t.str()).to_string(),
            id: tag.target_id().to_string(),
        },
    };
    let sig = tag.tagger()?;
    // libgit2 leaves a signature in the message; git's split (`signature::split`) takes it off.
    let odb = repo.odb().ok()?;
    let raw = odb.read(oid).ok()?;
    let signed = crate::registry::signature::split(raw.data()).map(std::sync::Arc::new);
    let mut message = tag.message_bytes().unwrap_or_default();
    if let Some(s) = &signed {
        message = &message[..message.len() - s.signature.len()];
    }
    Some(RawTag {
        name: name.to_string(),
        target,
        tagger_name: String::from_utf8_lossy(sig.name_bytes()).into_owned(),
        tagger_email: String::from_utf8_lossy(sig.email_bytes()).into_owned(),
        time: Timestamp::new(sig.when().seconds(), sig.when().offset_minutes()),
        message: String::from_utf8_lossy(message).into_owned(),
        signed,
    })
}

fn read_one(repo: &Repository, oid: git2::Oid) -> TagRead {
    let odb = repo.odb().unwrap();
    read_tag(&odb, &LooseDirs::of(repo), "m@v1.0.0", oid).unwrap()
}

/// A repository with one commit; its id.
fn repo_with_commit() -> (tempfile::TempDir, Repository, git2::Oid) {
    let dir = tempfile::tempdir().unwrap();
    let repo = Repository::init(dir.path()).unwrap();
    let sig = git2::Signature::new("A U Thor", "a@x", &git2::Time::new(1_700_000_000, 0)).unwrap();
    let tree_id = repo.treebuilder(None).unwrap().write().unwrap();
    let tree = repo.find_tree(tree_id).unwrap();
    let commit = repo.commit(None, &sig, &sig, "first", &tree, &[]).unwrap();
    drop(tree);
    (dir, repo, commit)
}

mod parse;
mod refs;
mod threads;
mod unreadable;
