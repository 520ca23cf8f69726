//! Reading tags on several threads gives what one thread gives, in the same order.

use super::*;

/// Reading on several threads gives what one thread gives, in the same order.
#[test]
fn many_tags_read_on_threads_as_on_one() {
    let dir = tempfile::tempdir().unwrap();
    let repo = Repository::init(dir.path()).unwrap();
    let sig = git2::Signature::new("A", "a@x", &git2::Time::new(1_700_000_000, 60)).unwrap();
    let tree_id = repo.treebuilder(None).unwrap().write().unwrap();
    let tree = repo.find_tree(tree_id).unwrap();
    let commit = repo.commit(None, &sig, &sig, "c", &tree, &[]).unwrap();
    let object = repo.find_object(commit, None).unwrap();
    for i in 0..4100 {
        let name = format!("m{}@v0.0.{i}", i % 7);
        let sig = git2::Signature::new("A", "a@x", &git2::Time::new(1_700_000_000 + i, 0)).unwrap();
        repo.tag(&name, &object, &sig, &format!("tag {i}\n"), false)
            .unwrap();
    }
    repo.reference("refs/tags/m1@v9.9.9", commit, false, "lightweight")
        .unwrap();
    let opened = Repo::open(Some(dir.path())).unwrap();
    let listing = opened.list_tags(None).unwrap();
    assert_eq!(listing.tags.len(), 4100);
    assert_eq!(listing.lightweight, vec!["m1@v9.9.9".to_string()]);
    assert_eq!(listing.all_names.len(), 4101);
    let names: Vec<(String, git2::Oid)> = listing
        .tags
        .iter()
        .map(|t| {
            let oid = repo
                .find_reference(&format!("refs/tags/{}", t.name))
                .unwrap()
                .target()
                .unwrap();
            (t.name.clone(), oid)
        })
        .collect();
    let one_thread: Vec<RawTag> = read_tags_with(&repo, &names)
        .unwrap()
        .into_iter()
        .filter_map(|r| match r {
            TagRead::Tag(raw) => Some(raw),
            _ => None,
        })
        .collect();
    assert_eq!(listing.tags, one_thread);
    let m3 = "m3".parse().unwrap();
    let scoped = opened.list_tags(Some(&m3)).unwrap();
    assert_eq!(scoped.tags.len(), 586);
    assert!(scoped.tags.iter().all(|t| t.name.starts_with("m3@")));
}
