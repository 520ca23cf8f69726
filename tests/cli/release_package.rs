//! The release layout (issue 13): scripts/release/package.py makes one archive per target with
//! `registry-TARGET/registry` (`.exe` and a zip on Windows), README.md and LICENSE; the same
//! inputs give the same bytes; `SHA256SUMS` is what `sha256sum -c` checks.

use std::path::Path;
use std::process::Command;

use crate::fixture::{HOST, TARGETS, fake_release, package, registry_bin};

/// The entry names of an archive, listed by the peers `tar -tzf` and `unzip -Z1`.
fn entries(archive: &Path) -> Vec<String> {
    let out = if archive.extension().is_some_and(|e| e == "zip") {
        Command::new("unzip").arg("-Z1").arg(archive).output()
    } else {
        Command::new("tar").arg("-tzf").arg(archive).output()
    }
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut v: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    v.sort();
    v
}

#[test]
fn every_target_gets_an_archive_of_its_binary_readme_and_license_and_sums_check() {
    let root = tempfile::tempdir().unwrap();
    let releases = fake_release(root.path(), "v0.1.0", &registry_bin());
    let dir = releases.join("download/v0.1.0");
    for target in TARGETS {
        let (file, exe) = if target.contains("windows") {
            (format!("registry-{target}.zip"), "registry.exe")
        } else {
            (format!("registry-{target}.tar.gz"), "registry")
        };
        assert_eq!(
            entries(&dir.join(&file)),
            [
                format!("registry-{target}/"),
                format!("registry-{target}/LICENSE"),
                format!("registry-{target}/README.md"),
                format!("registry-{target}/{exe}"),
            ]
            .into_iter()
            .filter(|e| !(file.ends_with(".zip") && e.ends_with('/')))
            .collect::<Vec<_>>(),
            "{file}"
        );
    }
    // The host archive holds the real binary, executable, byte for byte.
    let out = tempfile::tempdir().unwrap();
    let untar = Command::new("tar")
        .arg("-xzf")
        .arg(dir.join(format!("registry-{HOST}.tar.gz")))
        .arg("-C")
        .arg(out.path())
        .status()
        .unwrap();
    assert!(untar.success());
    let got = out.path().join(format!("registry-{HOST}/registry"));
    assert_eq!(
        std::fs::read(&got).unwrap(),
        std::fs::read(registry_bin()).unwrap()
    );
    let version = Command::new(&got).arg("--version").output().unwrap();
    assert!(version.status.success());
    // sha256sum, the peer, agrees with every line; a changed byte is caught.
    let check = |dir: &Path| {
        Command::new("sha256sum")
            .args(["-c", "--strict", "SHA256SUMS"])
            .current_dir(dir)
            .output()
            .unwrap()
    };
    let sums = std::fs::read_to_string(dir.join("SHA256SUMS")).unwrap();
    assert_eq!(sums.lines().count(), TARGETS.len(), "{sums}");
    assert!(check(&dir).status.success(), "{sums}");
    let victim = dir.join(format!("registry-{}.tar.gz", TARGETS[1]));
    let mut bytes = std::fs::read(&victim).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&victim, bytes).unwrap();
    let failed = check(&dir);
    assert!(!failed.status.success());
    assert!(
        String::from_utf8_lossy(&failed.stdout)
            .contains(&format!("registry-{}.tar.gz: FAILED", TARGETS[1])),
        "{}",
        String::from_utf8_lossy(&failed.stdout)
    );
}

#[test]
fn the_same_inputs_make_the_same_archives() {
    let root = tempfile::tempdir().unwrap();
    let bin = root.path().join("registry");
    std::fs::write(&bin, "#!/bin/sh\necho registry\n").unwrap();
    let made: Vec<Vec<u8>> = ["a", "b", "a-zip", "b-zip"]
        .iter()
        .map(|out| {
            let dir = root.path().join(out);
            let target = if out.ends_with("zip") {
                "x86_64-pc-windows-msvc"
            } else {
                HOST
            };
            package(&["archive", "--target", target, "--binary"], &bin, &dir);
            let file = std::fs::read_dir(&dir)
                .unwrap()
                .next()
                .unwrap()
                .unwrap()
                .path();
            std::fs::read(file).unwrap()
        })
        .collect();
    assert_eq!(made[0], made[1]);
    assert_eq!(made[2], made[3]);
}
