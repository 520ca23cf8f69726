//! What a registration records about its bytes: git trailers after a blank line at the end of the
//! tag message (`Artifact-Path`, `Artifact-Digest`, `Artifact-Digest-Source`), and for a
//! directory its manifest in `sha256sum` format just before them (SPEC §4.2). GTO keeps the
//! message as text and ignores both. Pure: format and parse only.

/// The recorded content of a version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    /// The artifact's path as declared (relative to its artifacts.yaml), or a URL.
    pub path: String,
    /// `sha256:<hex>`.
    pub digest: String,
    /// `git` (content at the registered commit), `worktree` (the working copy), or `given`.
    pub source: String,
    /// For a directory: `(relative path, sha256 hex)` per regular file.
    pub manifest: Option<Vec<(String, String)>>,
}

const MANIFEST_HEAD: &str = "Manifest (sha256sum format):";

/// The tag message: `first` (GTO's default or `-m`), then the manifest and trailers if any.
pub fn message(first: &str, p: Option<&Provenance>) -> String {
    let Some(p) = p else {
        return first.to_string();
    };
    let mut out = first.trim_end().to_string();
    if let Some(files) = &p.manifest {
        out.push_str("\n\n");
        out.push_str(MANIFEST_HEAD);
        for (path, hex) in files {
            out.push_str(&format!("\n{hex}  {path}"));
        }
    }
    out.push_str(&format!(
        "\n\nArtifact-Path: {}\nArtifact-Digest: {}\nArtifact-Digest-Source: {}",
        p.path, p.digest, p.source
    ));
    out
}

/// Reads provenance back from a tag message; `None` when it records none.
pub fn parse(message: &str) -> Option<Provenance> {
    let last = message.trim_end().rsplit("\n\n").next()?;
    let field = |key: &str| {
        last.lines()
            .find_map(|l| l.strip_prefix(key).and_then(|r| r.strip_prefix(": ")))
            .map(|v| v.trim().to_string())
    };
    let digest = field("Artifact-Digest")?;
    let manifest = message.split_once(MANIFEST_HEAD).map(|(_, rest)| {
        rest.lines()
            .skip(1)
            .take_while(|l| !l.trim().is_empty())
            .filter_map(|l| {
                l.split_once("  ")
                    .map(|(h, p)| (p.to_string(), h.to_string()))
            })
            .collect()
    });
    Some(Provenance {
        path: field("Artifact-Path").unwrap_or_default(),
        digest,
        source: field("Artifact-Digest-Source").unwrap_or_default(),
        manifest,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let p = Provenance {
            path: "models/dir".into(),
            digest: "sha256:abc".into(),
            source: "worktree".into(),
            manifest: Some(vec![
                ("a b.bin".into(), "11".into()),
                ("sub/c".into(), "22".into()),
            ]),
        };
        let m = message("Registering artifact m version v0.0.1", Some(&p));
        assert_eq!(
            m,
            "Registering artifact m version v0.0.1\n\nManifest (sha256sum format):\n11  a b.bin\n22  sub/c\n\n\
             Artifact-Path: models/dir\nArtifact-Digest: sha256:abc\nArtifact-Digest-Source: worktree"
        );
        assert_eq!(parse(&m), Some(p));
        assert_eq!(parse("Registering artifact m version v0.0.1"), None);
        assert_eq!(message("x", None), "x");
    }
}
