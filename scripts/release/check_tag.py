#!/usr/bin/env python3
"""The release gate on metadata: what is published must say what it is and where it comes from.

    check_tag.py --repository OWNER/REPO [--tag vX.Y.Z] [--root DIR]

Fails (exit 1, one line per problem, each naming the bad value) unless
  - the tag, when given, is `v` + the version in Cargo.toml (a `v0.2.0` tag must never publish a
    0.1.0 wheel, and PyPI never lets a version be uploaded twice);
  - pyproject.toml's `[project].version`, when it sets one instead of taking Cargo's through
    `dynamic = ["version"]`, is that same version;
  - every URL in pyproject.toml's `[project.urls]` that names a GitHub repository names
    `https://github.com/OWNER/REPO`, the repository the workflow runs in, and at least one does:
    placeholder metadata (`YOUR-ORG`) or a fork's stale URLs are refused, since a PyPI release
    can never be edited afterwards.
The release workflow (.github/workflows/release.yml) runs it with GITHUB_REF_NAME and
GITHUB_REPOSITORY; its dry run (workflow_dispatch) gives no tag. Python 3.11+ (tomllib).
"""

import argparse
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# `owner/repo` as GitHub allows them: no `/`, no `..`, nothing that needs quoting in a URL.
REPOSITORY = re.compile(r"[A-Za-z0-9-]+/[A-Za-z0-9._-]+")
GITHUB_URL = re.compile(r"https?://(?:www\.)?github\.com/([^/?#]+)/([^/?#]+)", re.IGNORECASE)


def load(path: Path) -> dict:
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        sys.exit(f"check_tag.py: {path} is missing")
    except tomllib.TOMLDecodeError as e:
        sys.exit(f"check_tag.py: {path} is not valid TOML: {e}")


def problems(root: Path, repository: str, tag: str | None) -> list[str]:
    out = []
    if not REPOSITORY.fullmatch(repository) or ".." in repository:
        return [f"the repository {repository!r} is not OWNER/REPO"]
    cargo = load(root / "Cargo.toml").get("package", {})
    version = cargo.get("version")
    if not isinstance(version, str) or not version:
        return [f"{root / 'Cargo.toml'} has no [package].version"]
    if tag is not None and tag != f"v{version}":
        out.append(f"the tag {tag!r} is not 'v{version}', the version in Cargo.toml")
    pyproject = load(root / "pyproject.toml").get("project", {})
    py_version = pyproject.get("version")
    if py_version is not None and py_version != version:
        out.append(f"pyproject.toml's version {py_version!r} is not {version!r}, Cargo.toml's")
    urls = pyproject.get("urls") or {}
    want = f"https://github.com/{repository}"
    named = 0
    for label, url in sorted(urls.items()):
        if "YOUR-ORG" in str(url):
            out.append(f"pyproject.toml's [project.urls] {label!r} is {url!r}, a placeholder")
            named += 1
            continue
        m = GITHUB_URL.match(str(url))
        if not m:
            continue  # documentation elsewhere, say: not a claim about the source repository
        named += 1
        owner, repo = m.group(1), m.group(2).removesuffix(".git")
        if f"{owner}/{repo}".lower() != repository.lower():
            out.append(f"pyproject.toml's [project.urls] {label!r} is {url!r}, not under {want}")
    if named == 0:
        out.append(f"pyproject.toml's [project.urls] name no GitHub repository; expected {want}")
    # The README is the wheel's description on PyPI, and its install lines name the repository.
    readme = root / "README.md"
    if readme.is_file() and "YOUR-ORG" in readme.read_text(encoding="utf-8", errors="replace"):
        out.append("README.md (the wheel's description on PyPI) still names the placeholder YOUR-ORG: replace it with the repository's owner")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repository", required=True, help="OWNER/REPO, as GITHUB_REPOSITORY says")
    ap.add_argument("--tag", help="the pushed tag (GITHUB_REF_NAME); none for a dry run")
    ap.add_argument("--root", type=Path, default=ROOT, help="the checkout (default: this script's)")
    args = ap.parse_args()
    found = problems(args.root, args.repository, args.tag)
    for p in found:
        # repr() above escapes newlines and control characters, so one problem is one line.
        print(f"check_tag.py: {p}", file=sys.stderr)
    if found:
        sys.exit(1)
    what = f"tag {args.tag}" if args.tag else "no tag (dry run)"
    print(f"check_tag.py: {what}, version and URLs match https://github.com/{args.repository}")


if __name__ == "__main__":
    main()
