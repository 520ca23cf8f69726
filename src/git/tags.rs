//! One idea: the listing. One pass over `refs/tags` (see `tag_refs.rs`) gives the registry's
//! tags, their tag objects read (see `read_tags.rs`) and parsed by us, never by libgit2 (see
//! `tag_object.rs`); a tag that cannot count is a warning naming it (`tag_warnings.rs`). Part
//! of the git seam: nothing outside `git/` names git2.

use anyhow::{Context as _, Result};
use git2::ObjectType;

use super::loose::{LooseDirs, Obj, read_object};
use super::tag_object::TagRead;
use super::tag_warnings::{corrupt_object, missing_object, too_large_tag};
use super::{Repo, TagListing, plain};
use crate::registry::event::Warning;
use crate::registry::name::ArtifactName;
use crate::registry::tag::TagName;

impl Repo {
    /// One pass over `refs/tags`. With `artifact`, only that artifact's refs are listed and only
    /// its tag objects are read, so a command about one artifact costs the same however many
    /// others there are. Many tag objects are read on every core (inflating them is most of
    /// the work).
    pub(crate) fn list_tags(&self, artifact: Option<&ArtifactName>) -> Result<TagListing> {
        let mut listing = TagListing::default();
        let mut wanted: Vec<(String, git2::Oid)> = Vec::new();
        let mut odd = Vec::new();
        let refs = self.tag_refs_with(artifact, &mut || {}, &mut odd)?;
        listing.unreadable.extend(odd);
        for (name, target) in refs {
            let Some(parsed) = TagName::parse(&name) else {
                continue;
            };
            if artifact.is_some_and(|a| &parsed.artifact != a) {
                continue; // another artifact whose name this one's is a prefix of
            }
            // Names git itself refuses (`.hidden=m@v1.0.0`, `a..b=m@v1.0.0`) are no tags to
            // git, so none to the registry either; `doctor` names them.
            if name.contains('\0') || !git2::Reference::is_valid_name(&format!("refs/tags/{name}"))
            {
                listing.refused.push(name);
                continue;
            }
            // Counters and name clashes are about registry-shaped names (lightweight ones too);
            // any other name can never equal a registry tag's.
            listing.all_names.insert(name.clone());
            let Some(oid) = target else {
                continue; // symbolic ref under refs/tags: not a tag
            };
            wanted.push((name, oid));
        }
        listing.tags.reserve_exact(wanted.len());
        for (found, (name, _)) in self.read_tags(&wanted)?.into_iter().zip(&wanted) {
            match found {
                TagRead::Tag(raw) => listing.tags.push(raw),
                TagRead::NotTag => listing.lightweight.push(name.clone()),
                TagRead::Bad(warning) => listing.unreadable.push(warning),
            }
        }
        Ok(listing)
    }

    /// Whether `oid`, the target of tag ref `name`, is a tag object, read as the listing reads
    /// it (never by libgit2's loose reader); `Err(warning)` when it is corrupt or missing.
    pub(super) fn is_tag_object(
        &self,
        name: &str,
        oid: git2::Oid,
    ) -> Result<std::result::Result<bool, Warning>> {
        let odb = self
            .repo
            .odb()
            .map_err(plain)
            .context("cannot open the object database")?;
        Ok(
            match read_object(&odb, &LooseDirs::of(&self.repo), oid, name)? {
                Obj::Found(kind, _) => Ok(kind == ObjectType::Tag),
                Obj::Missing => Err(missing_object(name, oid)),
                Obj::Corrupt(why, loose) => Err(corrupt_object(name, oid, &why, loose)),
                Obj::TooLarge(size) => Err(too_large_tag(name, size)),
            },
        )
    }
}
