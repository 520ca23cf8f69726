#!/usr/bin/env python3
"""Release archives and their SHA256SUMS, the one layout every installer reads.

    package.py archive --target TRIPLE --binary PATH --out DIR   # DIR/registry-TRIPLE.tar.gz (.zip on Windows)
    package.py sums DIR                                          # DIR/SHA256SUMS over every other file in DIR

The layout is the contract between the release workflow (.github/workflows/release.yml), the
GitHub Action's installer (scripts/action/install.sh) and the GitLab component
(templates/check-ref.yml):
  - one archive per target, named `registry-<target triple>.tar.gz`, or `.zip` for a Windows
    target, with no version in the name, so `releases/latest/download/<name>` works;
  - inside it, one directory `registry-<target>/` holding `registry` (`registry.exe` on
    Windows), `README.md` and `LICENSE`;
  - `SHA256SUMS`: one `<sha256 hex>  <file name>` line per file, sorted by name, as
    `sha256sum` writes it and `sha256sum -c` reads it.
Archives are reproducible: sorted entries, fixed modes, owner 0 and the mtime of
SOURCE_DATE_EPOCH (0 when unset). Python, not shell, so the same script runs on the Linux, macOS
and Windows runners of the release workflow.
"""

import argparse
import gzip
import hashlib
import io
import os
import sys
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXTRA = ["README.md", "LICENSE"]  # shipped beside the binary, from the repository root


def archive_name(target: str) -> str:
    return f"registry-{target}.zip" if "windows" in target else f"registry-{target}.tar.gz"


def members(target: str, binary: Path) -> list[tuple[str, bytes, int]]:
    """(name inside the archive, bytes, mode) for every file, in archive order."""
    exe = "registry.exe" if "windows" in target else "registry"
    top = f"registry-{target}"
    out = [(f"{top}/{exe}", binary.read_bytes(), 0o755)]
    for extra in EXTRA:
        out.append((f"{top}/{extra}", (ROOT / extra).read_bytes(), 0o644))
    return sorted(out)


def write_tar_gz(path: Path, files: list[tuple[str, bytes, int]], mtime: int) -> None:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        dirs = sorted({name.split("/")[0] for name, _, _ in files})
        for d in dirs:
            info = tarfile.TarInfo(d)
            info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, mtime
            tar.addfile(info)
        for name, data, mode in files:
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), mode, mtime
            tar.addfile(info, io.BytesIO(data))
    # gzip's own header carries a time and a file name: fix both.
    with open(path, "wb") as f, gzip.GzipFile(filename="", fileobj=f, mode="wb", mtime=mtime) as gz:
        gz.write(raw.getvalue())


def write_zip(path: Path, files: list[tuple[str, bytes, int]], mtime: int) -> None:
    import time

    # Zip times are local calendar fields from 1980 on; clamp so an epoch of 0 is valid.
    stamp = time.gmtime(max(mtime, 315532800))[:6]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data, mode in files:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)


def archive(target: str, binary: Path, out: Path) -> Path:
    if not binary.is_file():
        sys.exit(f"package.py: no binary at {binary}")
    out.mkdir(parents=True, exist_ok=True)
    path = out / archive_name(target)
    tmp = path.with_name(path.name + ".tmp")
    mtime = int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
    files = members(target, binary)
    (write_zip if path.suffix == ".zip" else write_tar_gz)(tmp, files, mtime)
    tmp.replace(path)  # never a half-written archive under the published name
    return path


def sums(directory: Path) -> Path:
    lines = []
    for f in sorted(p for p in directory.iterdir() if p.is_file()):
        if f.name == "SHA256SUMS" or f.name.endswith(".tmp"):
            continue
        h = hashlib.sha256()
        with open(f, "rb") as r:
            for block in iter(lambda: r.read(1 << 20), b""):
                h.update(block)
        lines.append(f"{h.hexdigest()}  {f.name}\n")
    if not lines:
        sys.exit(f"package.py: nothing to sum in {directory}")
    path = directory / "SHA256SUMS"
    tmp = path.with_name("SHA256SUMS.tmp")
    tmp.write_text("".join(lines), encoding="ascii", newline="\n")
    tmp.replace(path)
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("archive", help="one target's archive")
    a.add_argument("--target", required=True, help="the Rust target triple, e.g. x86_64-unknown-linux-musl")
    a.add_argument("--binary", required=True, type=Path, help="the built registry (or registry.exe)")
    a.add_argument("--out", required=True, type=Path, help="the directory the archive goes to")
    s = sub.add_parser("sums", help="SHA256SUMS over a directory's files")
    s.add_argument("dir", type=Path)
    args = ap.parse_args()
    if args.cmd == "archive":
        print(archive(args.target, args.binary, args.out))
    else:
        print(sums(args.dir))


if __name__ == "__main__":
    main()
