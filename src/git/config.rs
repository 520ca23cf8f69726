//! Reading git's configuration: the settings signing and verifying follow as git does
//! (`gpg.format`, `user.signingKey`, the programs), `tag.gpgSign`, and the remotes; and the
//! refs a mirror compares with its remote's.

use super::Repo;

impl Repo {
    /// A string from git's configuration (repository, user and system files, as git reads
    /// them); `None` when unset or unreadable.
    pub(crate) fn config_string(&self, key: &str) -> Option<String> {
        self.repo.config().ok()?.get_string(key).ok()
    }

    /// The names of the configured remotes (a `remote.<name>.url` or `pushurl` in git's
    /// configuration); empty when none, or when the configuration is unreadable.
    pub(crate) fn remote_names(&self) -> Vec<String> {
        self.repo.remotes().map_or_else(
            |_| Vec::new(),
            |r| r.iter().flatten().map(str::to_string).collect(),
        )
    }

    /// A boolean from git's configuration (`true`/`yes`/`on`/`1` …); `None` when unset or not a
    /// boolean.
    pub(crate) fn config_bool(&self, key: &str) -> Option<bool> {
        self.repo.config().ok()?.get_bool(key).ok()
    }
}

impl Repo {
    /// The direct refs under `prefixes` (`refs/tags/`…) and the ids they name, sorted by name;
    /// symbolic refs and refs that cannot be read are left out.
    pub(crate) fn refs_under(&self, prefixes: &[&str]) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if let Ok(refs) = self.repo.references() {
            for r in refs.flatten() {
                if let (Some(name), Some(id)) = (r.name(), r.target())
                    && prefixes.iter().any(|p| name.starts_with(p))
                {
                    out.push((name.to_string(), id.to_string()));
                }
            }
        }
        out.sort();
        out
    }
}

/// Whether git would store a ref of this name (`git check-ref-format`'s rules).
pub(crate) fn valid_ref_name(name: &str) -> bool {
    git2::Reference::is_valid_name(name)
}
