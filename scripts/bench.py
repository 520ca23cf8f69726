#!/usr/bin/env python3
"""Benchmarks for `registry` (SPEC §7), against `git for-each-ref` (the floor) and GTO.

    python3 scripts/bench.py              # full run: 2,000 / 20,000 / 100,000 tags -> BENCHMARKS.md
    python3 scripts/bench.py --smoke      # a few hundred tags, no GTO, no 1 GiB file: seconds (CI)
    python3 scripts/bench.py --help       # sizes, repeats, GTO caps, output file

What it does:
- generates repositories of about N registry tags (many artifacts, versions, stage assignments
  and unassignments, deregistrations, deprecations, plus non-registry tags: annotated `v1.2.3`,
  lightweight ones, registry-shaped lightweight ones) with one `git fast-import` stream, an
  `artifacts.yaml` in every commit. Each is made once and cached under
  target/bench/repos/g<GENERATOR>-<N>/{loose,packed} (`git pack-refs --all` for the packed copy).
  Every size holds the same artifact `churn` (40 tags), so `show churn` and `check-ref` show how
  the cost of one artifact grows when the others grow.
- times each command several times (median, min-max), with each child's peak memory from
  `os.wait4` (ru_maxrss); write commands run on the cached repository and the tag they created
  is deleted after each run.
- times hashing: one 1 GiB git-ignored file (`registry register --dry-run` hashes it from the work
  tree) against `openssl dgst -sha256`, and a directory of 10,000 small files against the
  README's serial `sha256sum` pipeline.
- times `registry audit` (text and `--json`) over a repository of about 20,000 SSH-signed
  registry tags (500 in smoke mode), against `git verify-tag` once per tag: a shell loop over
  200 tags spread over the history (20 in smoke mode), extrapolated linearly to every tag. Each
  tag's payload is built here and signed in batches by a few `ssh-keygen -Y sign` (one ed25519
  key), the tags are written by `git fast-import`, and every object is checked byte for byte
  and a sample with real `git verify-tag`; cached under target/bench/signed/. A binary without
  `audit` gets the row "audit not available in this binary"; audit may exit 0 or 1 (a policy
  break), anything else fails the benchmark.
- times `registry show NAME --metrics` over one artifact of 1,000 versions whose registrations
  carry 5 `Artifact-Metric` trailers each (scripts/bench_metrics.py; smoke mode too).
- prints a markdown table and writes it to BENCHMARKS.md (smoke mode: target/bench/smoke.md).

No timing is ever asserted: the exit status is non-zero only when a command fails or prints
something other than what it should. GTO is found through $REGISTRY_GTO or PATH; without it the
GTO columns say "not installed".
"""

import argparse
import datetime
import hashlib
import json
import os
import platform
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

# Bump when the generated repositories change shape: the cache is keyed by it.
GENERATOR = 3

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH_DIR = os.path.join(ROOT, "target", "bench")

IDENTITY = {
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
}
BASE_TIME = 1672531200  # 2023-01-01T00:00:00Z
STAGES = ("dev", "staging", "prod")


class Failure(Exception):
    """A command failed or printed the wrong thing: the benchmark exits non-zero."""


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def env_for_children():
    env = dict(os.environ)
    env.update(IDENTITY)
    for k in ("GIT_DIR", "GIT_WORK_TREE", "GIT_COMMITTER_DATE", "GIT_AUTHOR_DATE"):
        env.pop(k, None)
    env["CI"] = "true"  # no progress bars
    return env


ENV = env_for_children()


def git(args, cwd, **kw):
    return subprocess.run(["git"] + args, cwd=cwd, env=ENV, check=True, **kw)


# --------------------------------------------------------------------------------------------
# Generating repositories


def bump(version, rng):
    major, minor, patch = version
    r = rng.random()
    if r < 0.05:
        return (major + 1, 0, 0)
    if r < 0.25:
        return (major, minor + 1, 0)
    return (major, minor, patch + 1)


def artifact_events(name, commits, commit_time, rng, deprecate_ok=True):
    """One artifact's history as (tag, commit, time, message): versions on `commits` (sorted,
    distinct), each registered, most assigned to dev, some to staging and prod, a few
    unassigned or deregistered, some artifacts deprecated at the end."""
    events = []  # (time, kind, payload) before counters
    version = (0, 1, 0)
    last_time = 0
    for i, c in enumerate(commits):
        if i:
            version = bump(version, rng)
        v = "v%d.%d.%d" % version
        t = commit_time[c] + rng.randint(1, 600)
        events.append((t, "reg", v, c))
        t2 = t
        for stage, p in (("dev", 0.95), ("staging", 0.5), ("prod", 0.3)):
            if rng.random() < p:
                t2 += rng.randint(60, 4000)
                events.append((t2, "assign", (stage, v), c))
                if rng.random() < 0.08:
                    t2 += rng.randint(60, 4000)
                    events.append((t2, "unassign", (stage, v), c))
        if rng.random() < 0.06:
            t2 += rng.randint(60, 4000)
            events.append((t2, "dereg", v, c))
        last_time = max(last_time, t2)
    if deprecate_ok and rng.random() < 0.03:
        events.append((last_time + 3600, "deprecate", None, commits[-1]))
    events.sort(key=lambda e: e[0])
    tag_part = name.replace(":", "=")
    out = []
    counter = 0
    for t, kind, payload, c in events:
        if kind == "reg":
            tag = "%s@%s" % (tag_part, payload)
            msg = "Registering artifact %s version %s" % (name, payload)
        elif kind == "dereg":
            tag = "%s@%s!" % (tag_part, payload)
            msg = "Deregistering artifact %s version %s" % (name, payload)
        elif kind == "assign":
            counter += 1
            stage, v = payload
            tag = "%s#%s#%d" % (tag_part, stage, counter)
            msg = "Assigning stage %s to artifact %s version %s" % (stage, name, v)
        elif kind == "unassign":
            counter += 1
            stage, v = payload
            tag = "%s#%s!#%d" % (tag_part, stage, counter)
            msg = "Unassigning stage '%s' to artifact '%s' version '%s'" % (stage, name, v)
        else:
            tag = "%s@deprecated" % tag_part
            msg = "Deprecating artifact '%s'" % name
        out.append((tag, c, t, msg))
    return out


def churn_events(n_commits, commit_time):
    """The artifact every size holds, the same 40 tags in each (only the commit times move):
    12 versions, none on the last 10% of commits (so `register churn` at HEAD works)."""
    rng = random.Random(12345)
    while True:
        fracs = sorted(rng.sample(range(5, 85), 12))
        commits = sorted(set(f * n_commits // 100 for f in fracs))
        state = rng.getstate()
        ev = artifact_events("churn", commits, commit_time, rng, deprecate_ok=False)
        if len(commits) == 12 and len(ev) == 40 and not any(e[0].endswith("!") for e in ev):
            return ev
        rng.setstate(state)


def plan_repository(size, seed=7):
    """Commits and tags of a repository with about `size` registry tags."""
    rng = random.Random(seed * 1000003 + size)
    n_commits = max(60, size // 20)
    commit_time = [BASE_TIME + i * 3600 for i in range(n_commits)]
    tags = list(churn_events(n_commits, commit_time))
    first_commit = {"churn": 0}
    i = 0
    while len(tags) < size:
        i += 1
        name = "model-%05d" % i
        n_versions = rng.randint(5, 20)
        commits = sorted(rng.sample(range(n_commits), n_versions))
        first_commit[name] = commits[0]
        tags.extend(artifact_events(name, commits, commit_time, rng))
    registry_tags = len(tags)
    # Non-registry tags: annotated release tags, lightweight tags, registry-shaped lightweight.
    extra = []
    n_extra = max(10, size // 10)
    for j in range(n_extra):
        c = rng.randrange(n_commits)
        r = j % 10
        if r < 6:
            name = "v%d.%d.%d" % (j // 1000, (j // 10) % 100, j % 10)
            extra.append((name, c, commit_time[c] + 30, "Release %s" % name, True))
        elif r < 9:
            extra.append(("build-%06d" % j, c, None, None, False))
        else:
            extra.append(("model-%05d@v9.9.%d" % (1 + j % max(1, i), j), c, None, None, False))
    return {
        "size": size,
        "commits": n_commits,
        "commit_time": commit_time,
        "tags": tags,
        "registry_tags": registry_tags,
        "extra": extra,
        "first_commit": first_commit,
    }


def yaml_entry(name):
    return "%s:\n  type: model\n  path: models/%s.pkl\n  description: %s, made by bench.py\n" % (
        name,
        name,
        name,
    )


def data_writer(out):
    """A function writing one fast-import `data` block of bytes to `out`."""
    def data(b):
        out.write(b"data %d\n" % len(b))
        out.write(b)
        out.write(b"\n")
    return data


def fast_import_stream(plan, out, first_files=()):
    """Writes the whole repository as one fast-import stream to the binary file `out`;
    `first_files` ((path, bytes) pairs) go into the first commit too."""
    ident = b"Bench <bench@example.com>"
    data = data_writer(out)
    churn_blob = bytes(range(256)) * 16

    def files_of(c):
        files = [(b"metrics.txt", b"run %d\naccuracy 0.%04d\n" % (c, (c * 7919) % 10000))]
        if c == 0:
            files.append((b"models/churn.pkl", churn_blob))
            files.append((b".gitignore", b"/models/*.pkl\n!/models/churn.pkl\n"))
            files.extend((path.encode(), content) for path, content in first_files)
        return files

    write_commits(plan, out, ident, data, "scripts/bench.py", files_of)
    write_tags(plan, out, ident, data)



def fresh_build_dir(base):
    """Where a cached repository `base` is built: `base` and a `base.tmp` left by an interrupted
    build are removed, and `base.tmp` is made empty (the builder renames it to `base` when done,
    so a half-built cache is never taken for a whole one)."""
    for d in (base, base + ".tmp"):
        if os.path.exists(d):
            shutil.rmtree(d)
    os.makedirs(base + ".tmp")
    return base + ".tmp"


def write_commits(plan, out, ident, data, generator, files_of):
    """The plan's commits on main as fast-import commands (commit `c` is mark `c + 1`): each
    adds the artifacts.yaml entries of the artifacts first declared there (`generator` names the
    script in its header comment), then the (path, bytes) pairs `files_of(c)` returns. Shared
    with bench_fetch_repos."""
    by_commit = {}
    for name, c in plan["first_commit"].items():
        by_commit.setdefault(c, []).append(name)
    yaml_text = b"# Artifacts of this repository (generated by %s)\n" % generator.encode()
    for c in range(plan["commits"]):
        t = plan["commit_time"][c]
        out.write(b"commit refs/heads/main\nmark :%d\n" % (c + 1))
        out.write(b"author %s %d +0000\ncommitter %s %d +0000\n" % (ident, t, ident, t))
        data(b"Training run %d" % c)
        if c:
            out.write(b"from :%d\n" % c)
        new = sorted(by_commit.get(c, []))
        if new or c == 0:
            yaml_text += "".join(yaml_entry(n) for n in new).encode()
            out.write(b"M 100644 inline artifacts.yaml\n")
            data(yaml_text)
        for path, content in files_of(c):
            out.write(b"M 100644 inline %s\n" % path)
            data(content)


def write_tags(plan, out, ident, data):
    """The plan's registry tags and other tags as fast-import commands (commit `c` is mark
    `c + 1`), then the stream's end; `data` writes a data block. Shared with bench_fetch_repos."""
    for tag, c, t, msg in plan["tags"]:
        out.write(b"tag %s\nfrom :%d\n" % (tag.encode(), c + 1))
        out.write(b"tagger %s %d +0000\n" % (ident, t))
        data(msg.encode() + b"\n")
    for tag, c, t, msg, annotated in plan["extra"]:
        if annotated:
            out.write(b"tag %s\nfrom :%d\n" % (tag.encode(), c + 1))
            out.write(b"tagger %s %d +0000\n" % (ident, t))
            data(msg.encode() + b"\n")
        else:
            out.write(b"reset refs/tags/%s\nfrom :%d\n\n" % (tag.encode(), c + 1))
    out.write(b"done\n")


def repo_dir(size):
    return os.path.join(BENCH_DIR, "repos", "g%d-%d" % (GENERATOR, size))


def generate(size):
    """The cached loose and packed repositories of `size` tags, and what the benchmark needs to
    know about them (made on first use)."""
    base = repo_dir(size)
    meta_path = os.path.join(base, "meta.json")
    # Repositories of older generator versions are never used again.
    for old in range(1, GENERATOR):
        stale = os.path.join(BENCH_DIR, "repos", "g%d-%d" % (old, size))
        if os.path.isdir(stale):
            shutil.rmtree(stale)
    if os.path.exists(meta_path):
        with open(meta_path) as f:
            return json.load(f)
    tmp = fresh_build_dir(base)
    t0 = time.perf_counter()
    plan = plan_repository(size)
    loose = os.path.join(tmp, "loose")
    git(["init", "-q", "-b", "main", loose], cwd=tmp)
    git(["config", "user.name", IDENTITY["GIT_COMMITTER_NAME"]], cwd=loose)
    git(["config", "user.email", IDENTITY["GIT_COMMITTER_EMAIL"]], cwd=loose)
    git(["config", "gc.auto", "0"], cwd=loose)
    proc = subprocess.Popen(
        ["git", "fast-import", "--quiet", "--done"],
        cwd=loose,
        env=ENV,
        stdin=subprocess.PIPE,
    )
    fast_import_stream(plan, proc.stdin)
    proc.stdin.close()
    if proc.wait() != 0:
        raise Failure("git fast-import failed for size %d" % size)
    git(["reset", "-q", "--hard", "main"], cwd=loose)
    packed_refs = os.path.join(loose, ".git", "packed-refs")
    if os.path.exists(packed_refs):
        raise Failure("fast-import packed the refs; the loose copy would not be loose")
    packed = os.path.join(tmp, "packed")
    shutil.copytree(loose, packed, symlinks=True)
    git(["pack-refs", "--all"], cwd=packed)
    # As in a fresh clone: a directory that once held 100,000 loose refs stays large on ext4
    # even when empty, and every readdir of it would pay for that.
    for sub in ("tags", "heads"):
        d = os.path.join(packed, ".git", "refs", sub)
        if os.path.isdir(d):
            if any(files for _, _, files in os.walk(d)):
                raise Failure("git pack-refs --all left loose refs in %s" % d)
            shutil.rmtree(d)
        os.makedirs(d)
    churn = [t for t in plan["tags"] if t[0].startswith("churn@") or t[0].startswith("churn#")]
    assign_tags = [t[0] for t in churn if "#" in t[0] and "!" not in t[0]]
    versions = [t[0].split("@", 1)[1] for t in churn if "@" in t[0]]
    # `assign` gives prod to a version that never had it (assigning the holder again is refused).
    in_prod = {t[3].rsplit(" ", 1)[1] for t in churn if t[0].startswith("churn#prod#")}
    versions = [v for v in versions if v not in in_prod]
    meta = {
        "size": size,
        "generator": GENERATOR,
        "registry_tags": plan["registry_tags"],
        "other_tags": len(plan["extra"]),
        "commits": plan["commits"],
        "artifacts": len(plan["first_commit"]),
        "churn_tags": len(churn),
        "check_ref_tag": assign_tags[-1],
        "assign_version": versions[len(versions) // 2],
        "seconds": round(time.perf_counter() - t0, 1),
    }
    with open(os.path.join(tmp, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
    os.rename(tmp, base)
    log(
        "generated %d registry + %d other tags, %d commits in %.1f s: %s"
        % (meta["registry_tags"], meta["other_tags"], meta["commits"], meta["seconds"], base)
    )
    return meta


def hash_fixture(big_bytes, n_files):
    """A repository with a git-ignored file and directory declared as artifacts (cached)."""
    base = os.path.join(BENCH_DIR, "hash", "g%d-%d-%d" % (GENERATOR, big_bytes, n_files))
    if os.path.exists(os.path.join(base, ".done")):
        return base
    if os.path.exists(base):
        shutil.rmtree(base)
    os.makedirs(base)
    git(["init", "-q", "-b", "main"], cwd=base)
    with open(os.path.join(base, ".gitignore"), "w") as f:
        f.write("/big.bin\n/many/\n")
    with open(os.path.join(base, "artifacts.yaml"), "w") as f:
        f.write("big:\n  type: model\n  path: big.bin\nmany:\n  type: dataset\n  path: many\n")
    git(["add", "-A"], cwd=base)
    git(["commit", "-q", "-m", "artifacts"], cwd=base)
    rng = random.Random(99)
    block = rng.randbytes(1 << 20)
    with open(os.path.join(base, "big.bin"), "wb") as f:
        left = big_bytes
        i = 0
        while left > 0:
            chunk = block[: min(left, len(block))]
            # Vary each MiB so nothing is trivially repetitive.
            f.write(i.to_bytes(8, "little") + chunk[8:])
            left -= len(chunk)
            i += 1
    many = os.path.join(base, "many")
    for i in range(n_files):
        d = os.path.join(many, "part-%02d" % (i % 50))
        os.makedirs(d, exist_ok=True)
        size = rng.randint(1024, 32 * 1024)
        with open(os.path.join(d, "file-%05d.bin" % i), "wb") as f:
            f.write(i.to_bytes(8, "little") + block[8:size])
    open(os.path.join(base, ".done"), "w").close()
    return base


# --------------------------------------------------------------------------------------------
# The signed repository (issue 10: `audit` against `git verify-tag` once per tag)

# Bump when the signed repository changes shape (it also follows GENERATOR: same plan).
SIGNED_GENERATOR = 1
SIGNER_IDENT = b"Release Bot <release-bot@example.com>"
SIGNER_PRINCIPAL = "release-bot@example.com"
SIGNERS_PATH = ".registry/allowed_signers"
POLICY_YAML = b"signatures:\n  allowed_signers: .registry/allowed_signers\n"
SIGN_BATCH = 2500  # files per `ssh-keygen -Y sign` (one process signs them all)
CHECKED_TAGS = 25  # tags real `git verify-tag` must pass when the repository is generated
GOOD_SSH = 'Good "git" signature for %s with ED25519 key' % SIGNER_PRINCIPAL


def signed_dir(size):
    return os.path.join(BENCH_DIR, "signed", "s%d-g%d-%d" % (SIGNED_GENERATOR, GENERATOR, size))


def no_agent_env():
    """ssh-keygen with a key file, never an agent the user happens to run."""
    env = dict(ENV)
    env.pop("SSH_AUTH_SOCK", None)
    return env


def tag_payload(commit, tag, t, msg):
    """The bytes `git tag -s` signs: the tag object up to where the signature is appended."""
    return b"object %s\ntype commit\ntag %s\ntagger %s %d +0000\n\n%s\n" % (
        commit.encode(),
        tag.encode(),
        SIGNER_IDENT,
        t,
        msg.encode(),
    )


def sign_all(payload_dir, names):
    """Signs every file in `names` (in `payload_dir`), writing NAME.sig, with a few
    `ssh-keygen -Y sign` processes (one per batch, as many at once as there are cores)."""
    batches = [names[i : i + SIGN_BATCH] for i in range(0, len(names), SIGN_BATCH)]
    width = max(1, os.cpu_count() or 1)
    while batches:
        running = []
        for batch in batches[:width]:
            err = tempfile.TemporaryFile()
            argv = ["ssh-keygen", "-q", "-Y", "sign", "-n", "git", "-f", "../key"] + batch
            running.append((subprocess.Popen(argv, cwd=payload_dir, env=no_agent_env(),
                                             stdin=subprocess.DEVNULL, stderr=err), err))
        for proc, err in running:
            if proc.wait() != 0:
                err.seek(0)
                why = err.read().decode(errors="replace")[-500:]
                raise Failure("ssh-keygen -Y sign failed: %s" % why)
        batches = batches[width:]


def verify_tag(repo, signers, ref):
    """Real `git verify-tag` with the SSH allowed-signers file: (exit code, stderr)."""
    r = subprocess.run(
        ["git", "-c", "gpg.ssh.allowedSignersFile=" + signers, "verify-tag", ref],
        cwd=repo, env=no_agent_env(), capture_output=True, text=True,
    )
    return r.returncode, r.stderr


def check_signed(repo, signers, expected, base):
    """Fails loudly unless every tag object is byte for byte payload + signature, and a sample
    spread over the history passes real `git verify-tag` (and fails with no allowed signer)."""
    refs = sorted(expected)
    p = subprocess.run(["git", "cat-file", "--batch"], cwd=repo, env=ENV, capture_output=True,
                       input=b"".join(b"refs/tags/%s\n" % r.encode() for r in refs), check=True)
    out, at = p.stdout, 0
    for ref in refs:
        nl = out.index(b"\n", at)
        header = out[at:nl].split()
        if len(header) != 3 or header[1] != b"tag":
            raise Failure("refs/tags/%s is not a tag object: %r" % (ref, out[at:nl]))
        size = int(header[2])
        body = out[nl + 1 : nl + 1 + size]
        if body != expected[ref]:
            raise Failure("refs/tags/%s is not the signed payload + its signature" % ref)
        at = nl + 1 + size + 1
    for ref in spread(refs, CHECKED_TAGS):
        code, err = verify_tag(repo, signers, "refs/tags/" + ref)
        if code != 0 or GOOD_SSH not in err:
            raise Failure("git verify-tag refs/tags/%s: exit %d, %s" % (ref, code, err.strip()))
    empty = os.path.join(base, "no_signers")
    open(empty, "w").close()
    code, err = verify_tag(repo, empty, "refs/tags/" + refs[0])
    if code == 0:
        raise Failure("git verify-tag passed with no allowed signer: the check proves nothing")


def spread(items, n):
    """`n` items spread evenly over `items` (all of them when there are fewer)."""
    if n >= len(items):
        return list(items)
    return [items[i * len(items) // n] for i in range(n)]


def generate_signed(size):
    """The cached repository of about `size` SSH-signed registry tags (ed25519, one key), with
    `.registry.yaml` naming the allowed-signers file committed at `.registry/allowed_signers`.
    Each tag's payload is built here, signed in batches, and written with `git fast-import`."""
    base = signed_dir(size)
    meta_path = os.path.join(base, "meta.json")
    parent = os.path.dirname(base)
    if os.path.isdir(parent):
        for old in os.listdir(parent):  # older shapes of this size are never used again
            if old.endswith("-%d" % size) and os.path.join(parent, old) != base:
                shutil.rmtree(os.path.join(parent, old))
    if os.path.exists(meta_path):
        with open(meta_path) as f:
            return json.load(f)
    tmp = fresh_build_dir(base)
    t0 = time.perf_counter()
    key = os.path.join(tmp, "key")
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", SIGNER_PRINCIPAL,
                    "-f", key], env=no_agent_env(), check=True, stdin=subprocess.DEVNULL)
    with open(key + ".pub") as f:
        public = " ".join(f.read().split()[:2])
    signers_line = '%s namespaces="git" %s\n' % (SIGNER_PRINCIPAL, public)
    plan = plan_repository(size)
    repo = os.path.join(tmp, "repo")
    git(["init", "-q", "-b", "main", repo], cwd=tmp)
    git(["config", "gc.auto", "0"], cwd=repo)
    # First the commits (their ids go into the payloads), then the signed tags.
    marks = os.path.join(tmp, "marks")
    proc = subprocess.Popen(["git", "fast-import", "--quiet", "--done", "--export-marks=" + marks],
                            cwd=repo, env=ENV, stdin=subprocess.PIPE)
    files = ((".registry.yaml", POLICY_YAML), (SIGNERS_PATH, signers_line.encode()))
    fast_import_stream(dict(plan, tags=[], extra=[]), proc.stdin, first_files=files)
    proc.stdin.close()
    if proc.wait() != 0:
        raise Failure("git fast-import (commits) failed for the signed repository")
    commit = {}
    with open(marks) as f:
        for line in f:
            mark, sha = line.split()
            commit[int(mark[1:]) - 1] = sha
    payload_dir = os.path.join(tmp, "payloads")
    os.makedirs(payload_dir)
    names = []
    payloads = []
    for i, (tag, c, t, msg) in enumerate(plan["tags"]):
        payload = tag_payload(commit[c], tag, t, msg)
        name = "%06d" % i
        with open(os.path.join(payload_dir, name), "wb") as f:
            f.write(payload)
        names.append(name)
        payloads.append(payload)
    t_sign = time.perf_counter()
    sign_all(payload_dir, names)
    sign_seconds = time.perf_counter() - t_sign
    expected = {}
    proc = subprocess.Popen(["git", "fast-import", "--quiet", "--done"], cwd=repo, env=ENV,
                            stdin=subprocess.PIPE)
    out = proc.stdin
    for (tag, c, t, msg), name, payload in zip(plan["tags"], names, payloads):
        with open(os.path.join(payload_dir, name + ".sig"), "rb") as f:
            sig = f.read()
        # fast-import writes object/type/tag/tagger, a blank line, then the data as given: the
        # data is the message's line and the signature, so the object is payload + signature.
        body = msg.encode() + b"\n" + sig
        out.write(b"tag %s\nfrom %s\ntagger %s %d +0000\ndata %d\n%s\n"
                  % (tag.encode(), commit[c].encode(), SIGNER_IDENT, t, len(body), body))
        expected[tag] = payload + sig
    out.write(b"done\n")
    out.close()
    if proc.wait() != 0:
        raise Failure("git fast-import (signed tags) failed")
    shutil.rmtree(payload_dir)
    git(["reset", "-q", "--hard", "main"], cwd=repo)
    git(["pack-refs", "--all"], cwd=repo)  # as in a fresh clone
    signers = os.path.join(repo, SIGNERS_PATH)
    check_signed(repo, signers, expected, tmp)
    meta = {
        "size": size,
        "events": len(plan["tags"]),
        "commits": plan["commits"],
        "artifacts": len(plan["first_commit"]),
        "seconds": round(time.perf_counter() - t0, 1),
        "sign_seconds": round(sign_seconds, 1),
    }
    with open(os.path.join(tmp, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
    os.rename(tmp, base)
    log("generated %d SSH-signed registry tags (signing %.1f s) in %.1f s: %s"
        % (meta["events"], meta["sign_seconds"], meta["seconds"], base))
    return meta


# --------------------------------------------------------------------------------------------
# Running and timing


class Result:
    def __init__(self, label):
        self.label = label
        self.times = []
        self.rss_kb = []
        self.timed_out = None  # the cap in seconds, when a run did not finish
        self.skipped = None  # why it was not run
        self.codes = []  # each run's exit code

    @property
    def median(self):
        return statistics.median(self.times) if self.times else None


# Peak memory comes from GNU time: it forks the command from its own small process. A child
# forked straight from this Python process would report at least Python's own size, because
# Linux keeps the pre-exec high-water mark in ru_maxrss.
GNU_TIME = "/usr/bin/time" if os.path.exists("/usr/bin/time") else None
RSS_METHOD = (
    "`/usr/bin/time -f %M` (GNU time forks the command from a small process)"
    if GNU_TIME
    else "`os.wait4` ru_maxrss (no GNU time here: an upper bound that includes this script's "
    "own size at fork)"
)


def run_once(argv, cwd, timeout=None, capture=False, measure_rss=False, env=None):
    """Runs one child; returns (seconds, peak RSS in KiB or None, exit code, stdout bytes,
    stderr bytes). Seconds is None when the child was killed at `timeout`. With `measure_rss`
    the command runs under GNU time (about a millisecond more: such runs are not timed here).
    `env` replaces the benchmark's own environment (ENV)."""
    out_f = tempfile.TemporaryFile() if capture else subprocess.DEVNULL
    err_f = tempfile.TemporaryFile()
    rss_file = None
    if measure_rss and GNU_TIME:
        fd, rss_file = tempfile.mkstemp(prefix="bench-rss-")
        os.close(fd)
        argv = [GNU_TIME, "-f", "%M", "-o", rss_file, "--"] + list(argv)
    t0 = time.perf_counter()
    p = subprocess.Popen(
        argv, cwd=cwd, env=ENV if env is None else env, stdout=out_f, stderr=err_f,
        start_new_session=True
    )
    killed = []

    def kill():
        killed.append(True)
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    timer = threading.Timer(timeout, kill) if timeout else None
    if timer:
        timer.start()
    _, status, rusage = os.wait4(p.pid, 0)
    elapsed = time.perf_counter() - t0
    if timer:
        timer.cancel()
    p.returncode = os.waitstatus_to_exitcode(status)  # reaped here: tell Popen
    if killed:
        # Whatever the killed command left behind in its process group goes too.
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    rss = None
    if measure_rss:
        rss = rusage.ru_maxrss
        if rss_file:
            with open(rss_file) as f:
                numbers = [line.strip() for line in f if line.strip().isdigit()]
            os.unlink(rss_file)
            rss = int(numbers[-1]) if numbers else None
    out = b""
    if capture:
        out_f.seek(0)
        out = out_f.read()
        out_f.close()
    err_f.seek(0)
    err = err_f.read()
    err_f.close()
    return (None if killed else elapsed), rss, p.returncode, out, err


def remove_stale_locks(repo):
    git_dir = os.path.join(repo, ".git")
    for dirpath, _, files in os.walk(os.path.join(git_dir, "refs")):
        for f in files:
            if f.endswith(".lock"):
                os.unlink(os.path.join(dirpath, f))
    for f in ("packed-refs.lock", "index.lock", "HEAD.lock", "registry.lock"):
        if os.path.exists(os.path.join(git_dir, f)):
            os.unlink(os.path.join(git_dir, f))


def tags_of(repo, prefix):
    r = git(
        ["for-each-ref", "--format=%(refname)", "refs/tags/%s*" % prefix],
        cwd=repo,
        capture_output=True,
        text=True,
    )
    return set(r.stdout.split())


class Runner:
    def __init__(self, args):
        self.args = args
        self.failures = []

    def measure(
        self,
        label,
        argv,
        cwd,
        repeats,
        timeout=None,
        check=None,
        writes=None,
        critical=True,
        ok_codes=(0,),
    ):
        """Times `argv` `repeats` times after one untimed run (which warms the page cache and is
        checked by `check(stdout)`). For write commands `writes` is a tag prefix: the tag each
        run created is found and deleted after it, outside the timing. A failure of a
        `critical` command (registry's, not GTO's) makes the benchmark exit non-zero; an exit
        code in `ok_codes` is no failure (each run's is kept in `codes`)."""
        res = Result(label)
        before = tags_of(cwd, writes) if writes else None

        def cleanup():
            if writes is None:
                return []
            created = sorted(tags_of(cwd, writes) - before)
            for ref in created:
                git(["update-ref", "-d", ref], cwd=cwd)
            return created

        warm = timeout is None  # capped (GTO) runs are too slow to run an extra time
        runs = repeats + (1 if warm else 0)
        for i in range(runs):
            # Memory is taken on the warm-up run (or on every run when there is none).
            secs, rss, code, out, err = run_once(
                argv, cwd, timeout, capture=(i == 0), measure_rss=(i == 0 or not warm)
            )
            if rss is not None:
                res.rss_kb.append(rss)
            if secs is None and writes is not None:
                remove_stale_locks(cwd)  # a writer killed at its cap may leave ref locks
            created = cleanup()
            if secs is None:
                res.timed_out = timeout
                break
            res.codes.append(code)
            if code not in ok_codes:
                msg = "%s failed (exit %d) in %s:\n%s" % (
                    " ".join(argv),
                    code,
                    cwd,
                    err.decode(errors="replace")[-2000:],
                )
                if critical:
                    self.failures.append(msg)
                log("FAILED: " + msg)
                res.skipped = "failed"
                return res
            if writes is not None and len(created) != 1:
                msg = "%s created %d tags, not 1: %s" % (" ".join(argv), len(created), created)
                if critical:
                    self.failures.append(msg)
                log("FAILED: " + msg)
                res.skipped = "failed"
                return res
            if i == 0 and check is not None:
                problem = check(out)
                if problem:
                    msg = "%s printed the wrong thing (%s):\n%s" % (
                        " ".join(argv),
                        problem,
                        out.decode(errors="replace")[:2000],
                    )
                    self.failures.append(msg)
                    log("FAILED: " + msg)
            if i == 0 and warm:
                continue
            res.times.append(secs)
        return res


def find_gto():
    cand = os.environ.get("REGISTRY_GTO") or shutil.which("gto")
    if not cand:
        return None
    try:
        r = subprocess.run([cand, "--version"], capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if r.returncode != 0:
        return None
    m = re.search(r"(\d+\.\d+\.\d+)", r.stdout + r.stderr)
    return cand, (m.group(1) if m else "?")


def build_registry(profile):
    cmd = ["cargo", "build", "--locked", "--bin", "registry"]
    if profile == "release":
        cmd.append("--release")
    log("$ " + " ".join(cmd))
    subprocess.run(cmd, cwd=ROOT, check=True)
    return os.path.join(ROOT, "target", profile, "registry")


# --------------------------------------------------------------------------------------------
# Checks of what the commands print (run once per command, untimed)


def expect_contains(*needles):
    def check(out):
        text = out.decode(errors="replace")
        for n in needles:
            if n not in text:
                return "no %r in the output" % n
        return None

    return check


def expect_json_with(key):
    def check(out):
        try:
            data = json.loads(out)
        except ValueError as e:
            return "not JSON: %s" % e
        if key is not None and key not in data:
            return "no %r in the JSON" % key
        return None

    return check


# --------------------------------------------------------------------------------------------
# Formatting


def ms(seconds):
    if seconds is None:
        return "-"
    if seconds >= 10:
        return "%.1f s" % seconds
    if seconds >= 1:
        return "%.2f s" % seconds
    return "%.1f ms" % (seconds * 1000) if seconds < 0.1 else "%.0f ms" % (seconds * 1000)


def cell(res):
    if res is None:
        return "-"
    if res.skipped:
        return res.skipped
    if res.timed_out is not None:
        return "over %d s" % res.timed_out
    if not res.times:
        return "-"
    if len(res.times) == 1:
        return ms(res.times[0])
    return "%s (%s–%s)" % (ms(res.median), ms(min(res.times)), ms(max(res.times)))


def mem(res):
    if res is None or not res.rss_kb:
        return "-"
    return "%.0f MB" % (max(res.rss_kb) / 1024.0)


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def fmt_ratio(x):
    if x is None:
        return "-"
    if x >= 100:
        return "%.0f×" % x
    if x >= 10:
        return "%.1f×" % x
    return "%.2f×" % x


def machine():
    model = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem_gb = "?"
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    mem_gb = "%.0f GB" % (int(line.split()[1]) / 1024 / 1024)
    except OSError:
        pass
    sha_ni = False
    try:
        with open("/proc/cpuinfo") as f:
            sha_ni = " sha_ni" in f.read()
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "memory": mem_gb,
        "sha_ni": sha_ni,
        "os": "%s %s" % (platform.system(), platform.release()),
        "git": subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.strip(),
        "openssl": (
            subprocess.run(["openssl", "version"], capture_output=True, text=True).stdout.strip()
            if shutil.which("openssl")
            else "not installed"
        ),
    }


def load_average():
    try:
        return "%.2f %.2f %.2f" % os.getloadavg()
    except OSError:
        return "?"


# --------------------------------------------------------------------------------------------
# The benchmark


READS = [
    # (label, registry/GTO arguments, check of registry's output)
    ("show", ["show"], lambda m: expect_contains("churn", "latest")),
    ("show --json", ["show", "--json"], lambda m: expect_json_with("churn")),
    ("show churn", ["show", "churn"], lambda m: expect_contains(m["assign_version"])),
    ("history churn", ["history", "churn"], lambda m: expect_contains(m["check_ref_tag"])),
    (
        "check-ref TAG",
        ["check-ref", None],
        lambda m: expect_contains('artifact "churn"', "was assigned"),
    ),
]
WRITES = [
    ("register", ["register", "churn"], lambda m: expect_contains("Created git tag 'churn@")),
    (
        "assign",
        ["assign", "churn", "--version", None, "--stage", "prod"],
        lambda m: expect_contains("Created git tag 'churn#prod#"),
    ),
]


def fill(argv, meta):
    out = []
    for a in argv:
        if a is None:
            a = meta["check_ref_tag"] if argv[0] == "check-ref" else meta["assign_version"]
        out.append(a)
    return out


def bench_size(runner, size, registry, gto, opts, gto_skip_reason):
    meta = generate(size)
    rows = []
    repeats = opts.repeats if size < 100000 else max(1, min(opts.repeats, 3))
    for layout in ("packed", "loose"):
        repo = os.path.join(repo_dir(size), layout)
        floor = runner.measure(
            "floor",
            [
                "git",
                "for-each-ref",
                "refs/tags",
                "--format=%(refname) %(objectname) %(taggerdate:unix) %(*objectname)",
            ],
            repo,
            repeats,
        )
        for label, argv, check, writes in [(r[0], r[1], r[2], None) for r in READS] + [
            (w[0], w[1], w[2], "churn") for w in WRITES
        ]:
            args = fill(argv, meta)
            reg = runner.measure(
                label, [registry] + args, repo, repeats, check=check(meta), writes=writes
            )
            gres = None
            # GTO on the packed copy only (a clone's refs are packed): it is too slow for both.
            if layout == "packed":
                if gto is None:
                    gres = Result(label)
                    gres.skipped = "not installed"
                elif gto_skip_reason(label) is not None:
                    gres = Result(label)
                    gres.skipped = gto_skip_reason(label)
                else:
                    cap = opts.gto_cap_small if size <= 2000 else opts.gto_cap
                    log("  GTO %s at %d tags (cap %d s)…" % (label, size, cap))
                    gres = runner.measure(
                        label,
                        [gto] + args,
                        repo,
                        1 if size > 2000 else opts.gto_repeats,
                        timeout=cap,
                        writes=writes,
                        critical=False,
                    )
            rows.append(
                {
                    "size": size,
                    "layout": layout,
                    "label": label,
                    "registry": reg,
                    "floor": floor,
                    "gto": gres,
                    "meta": meta,
                }
            )
            log(
                "  %6d %-6s %-14s %s  floor %s  GTO %s"
                % (size, layout, label, cell(reg), ms(floor.median), cell(gres))
            )
    return rows


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            block = f.read(1 << 20)
            if not block:
                return h.hexdigest()
            h.update(block)


def manifest_digest(root):
    """The README's directory digest: sha256 of `sha256sum`'s lines, sorted bytewise by path."""
    lines = []
    for dirpath, _, files in os.walk(root):
        for f in files:
            full = os.path.join(dirpath, f)
            rel = os.path.relpath(full, root).replace(os.sep, "/")
            lines.append((rel.encode(), sha256_file(full)))
    lines.sort()
    manifest = b"".join(b"%s  %s\n" % (h.encode(), rel) for rel, h in lines)
    return hashlib.sha256(manifest).hexdigest()


def check_recorded_digest(runner, registry, base, name, expected):
    """Registers `name` for real, reads the digest trailer back, deletes the tag."""
    before = tags_of(base, name + "@")
    r = subprocess.run([registry, "register", name], cwd=base, env=ENV, capture_output=True)
    created = sorted(tags_of(base, name + "@") - before)
    message = ""
    for ref in created:
        message += git(["cat-file", "-p", ref], cwd=base, capture_output=True, text=True).stdout
        git(["update-ref", "-d", ref], cwd=base)
    m = re.search(r"^Artifact-Digest: sha256:([0-9a-f]{64})$", message, re.M)
    if r.returncode != 0 or not m or m.group(1) != expected:
        msg = "register %s recorded %s, expected sha256:%s (exit %d: %s)" % (
            name,
            m.group(0) if m else "no digest",
            expected,
            r.returncode,
            r.stderr.decode(errors="replace")[-500:],
        )
        runner.failures.append(msg)
        log("FAILED: " + msg)


def bench_hashing(runner, registry, opts):
    big = opts.big_mib << 20
    base = hash_fixture(big, opts.files)
    out = []
    reg = runner.measure(
        "file", [registry, "register", "big", "--dry-run"], base, opts.hash_repeats,
        check=lambda o: None if b"Would create git tag 'big@" in o else "no dry-run line",
    )
    if shutil.which("openssl"):
        ossl = runner.measure(
            "file", ["openssl", "dgst", "-sha256", "big.bin"], base, opts.hash_repeats
        )
    else:
        ossl = Result("file")
        ossl.skipped = "openssl not installed"
    out.append(("one %d MiB file" % opts.big_mib, reg, "`openssl dgst -sha256`", ossl, big))
    reg_d = runner.measure(
        "dir", [registry, "register", "many", "--dry-run"], base, opts.hash_repeats,
        check=lambda o: None if b"Would create git tag 'many@" in o else "no dry-run line",
    )
    serial = runner.measure(
        "dir",
        [
            "bash",
            "-c",
            "cd many && find . -type f | sed 's|^\\./||' | LC_ALL=C sort "
            "| xargs -d '\\n' sha256sum | sha256sum",
        ],
        base,
        opts.hash_repeats,
    )
    total = 0
    for dirpath, _, files in os.walk(os.path.join(base, "many")):
        for f in files:
            total += os.path.getsize(os.path.join(dirpath, f))
    # The bytes are the point: the digests registry records must be the standard tools'.
    check_recorded_digest(runner, registry, base, "big", sha256_file(os.path.join(base, "big.bin")))
    check_recorded_digest(runner, registry, base, "many", manifest_digest(os.path.join(base, "many")))
    out.append(
        (
            "%d files, %.0f MiB" % (opts.files, total / 2**20),
            reg_d,
            "`sha256sum` over the files, serially (the README's pipeline)",
            serial,
            total,
        )
    )
    return out


def audit_available(registry):
    """Whether this binary has `audit` (issue 10 adds it); if not, clap's first line saying so."""
    r = subprocess.run([registry, "audit", "--help"], env=ENV, capture_output=True, text=True)
    if r.returncode == 0:
        return True, None
    return False, (r.stderr.strip().splitlines() or ["exit %d" % r.returncode])[0]


def expect_good(json_out):
    """Every event is signed by the one allowed key, so `good` must be printed (and JSON must
    parse); exit 1 (a policy break) is accepted but reported, since no rule should fire here."""

    def check(out):
        if json_out:
            problem = expect_json_with(None)(out)
            if problem:
                return problem
        if b"good" not in out.lower():
            return "no signature status 'good' in the output"
        return None

    return check


# A shell loop, as an auditor without `registry` would write it: one `git verify-tag` per tag.
VERIFY_LOOP = (
    'signers=$1; shift; for t in "$@"; do '
    'git -c gpg.ssh.allowedSignersFile="$signers" verify-tag "$t" >/dev/null 2>&1 '
    '|| { echo "git verify-tag $t failed" >&2; exit 1; }; done'
)


def bench_signed(runner, registry, opts):
    """`audit` over the signed repository, and `git verify-tag` once per tag on a sample of its
    tags spread over the history (timed as one shell loop, extrapolated to every tag)."""
    if not shutil.which("ssh-keygen"):
        log("ssh-keygen not installed (Debian: openssh-client): no signed benchmark")
        return {"skipped": "ssh-keygen not installed"}
    meta = generate_signed(opts.signed_size)
    repo = os.path.join(signed_dir(opts.signed_size), "repo")
    signers = os.path.join(repo, SIGNERS_PATH)
    available, why = audit_available(registry)
    if not available:
        log("audit not available in this binary (%s)" % why)
    audits = []
    for label, args in (("audit", ["audit"]), ("audit --json", ["audit", "--json"])):
        if available:
            res = runner.measure(label, [registry] + args, repo, opts.repeats,
                                 check=expect_good(label.endswith("--json")), ok_codes=(0, 1))
            if 1 in res.codes:
                log("NOTE: %s exited 1 (a policy break) where no rule should fire" % label)
        else:
            res = Result(label)
            res.skipped = "audit not available in this binary"
        audits.append(res)
        log("  %6d signed %-14s %s" % (meta["events"], label, cell(res)))
    refs = git(["for-each-ref", "--sort=taggerdate", "--format=%(refname)", "refs/tags"],
               cwd=repo, capture_output=True, text=True).stdout.split()
    sample = spread(refs, opts.verify_sample)
    verify = runner.measure("git verify-tag", ["bash", "-c", VERIFY_LOOP, "bash", signers] + sample,
                            repo, opts.verify_repeats)
    per_tag = verify.median / len(sample) if verify.median else None
    log("  %6d signed git verify-tag: %s for %d tags, %s per tag"
        % (meta["events"], cell(verify), len(sample), per_event(per_tag)))
    return {"meta": meta, "audits": audits, "verify": verify, "sample": len(sample),
            "per_tag": per_tag, "estimate": per_tag * meta["events"] if per_tag else None}


def per_event(seconds):
    if seconds is None:
        return "-"
    return "%.0f µs" % (seconds * 1e6) if seconds < 0.001 else ms(seconds)


def find_row(rows, size, layout, label):
    for r in rows:
        if r["size"] == size and r["layout"] == layout and r["label"] == label:
            return r
    return None


def gto_ratio(row):
    """How many times faster than GTO: exact when GTO finished, a lower bound when it hit its
    cap. Returns (text, number or None)."""
    g = row["gto"]
    reg = row["registry"].median
    if g is None or reg is None or g.skipped:
        return "-", None
    if g.timed_out is not None:
        x = g.timed_out / reg
        return "over " + fmt_ratio(x), x
    x = ratio(g.median, reg)
    return fmt_ratio(x), x


def verdict(ok):
    return "**met**" if ok else "**not met**"


def targets(rows, hashing, sizes, signed):
    """SPEC §7's targets (and issue 10's for `audit`), each with what was measured."""
    out = []
    if 20000 in sizes:
        for label in ("show", "show --json", "show churn", "history churn", "check-ref TAG"):
            parts = []
            ok = True
            for layout in ("packed", "loose"):
                r = find_row(rows, 20000, layout, label)
                x = ratio(r["registry"].median, r["floor"].median)
                ok = ok and x is not None and x <= 2.0
                parts.append("%s %s" % (layout, fmt_ratio(x)))
            out.append(
                ("`%s` at 20,000 tags within 2× of the floor" % label, ", ".join(parts), verdict(ok))
            )
        for label in ("show", "show churn", "history churn", "check-ref TAG"):
            r = find_row(rows, 20000, "packed", label)
            text, x = gto_ratio(r)
            what = "`%s` at 20,000 tags at least 200× faster than GTO" % label
            if x is None:
                out.append((what, "GTO not run", "not measured"))
            else:
                out.append((what, text, verdict(x >= 200)))
        for label in ("register", "assign"):
            parts = []
            ok = True
            for layout in ("packed", "loose"):
                m = find_row(rows, 20000, layout, label)["registry"].median
                ok = ok and m is not None and m < 0.05
                parts.append("%s %s" % (layout, ms(m)))
            out.append(("`%s` at 20,000 tags under 50 ms" % label, ", ".join(parts), verdict(ok)))
    if 100000 in sizes:
        for layout in ("packed", "loose"):
            row = find_row(rows, 100000, layout, "show")
            res = row["registry"]
            m = res.median
            peak = max(res.rss_kb) / 1024.0 if res.rss_kb else None
            floor = row["floor"].median
            out.append(
                (
                    "`show` at 100,000 tags under 1 s (%s refs)" % layout,
                    "%s (the floor alone: %s)" % (ms(m), ms(floor)),
                    verdict(m is not None and m < 1.0),
                )
            )
            out.append(
                (
                    "`show` at 100,000 tags under 200 MB (%s refs)" % layout,
                    "%.0f MB" % (peak or 0),
                    verdict(peak is not None and peak < 200),
                )
            )
    if hashing:
        name, reg, _, base, _ = hashing[0]
        x = ratio(reg.median, base.median)
        out.append(("hashing one large file within 1.1× of `openssl dgst -sha256`",
                    "%s of openssl's time (%s)" % (fmt_ratio(x), name),
                    verdict(x is not None and x <= 1.1)))
        name, reg, _, base, _ = hashing[1]
        x = ratio(base.median, reg.median)
        out.append(("a directory of many files faster than serial `sha256sum` (both cores)",
                    "%s faster (%s)" % (fmt_ratio(x), name), verdict(x is not None and x > 1.0)))
    if signed and "meta" in signed and signed["meta"]["events"] >= 20000:
        audit = signed["audits"][0]
        n = format(signed["meta"]["events"], ",")
        what = "`audit` over %s SSH-signed events under 2 s" % n
        if audit.skipped:
            out.append((what, audit.skipped, "not measured"))
        else:
            out.append((what, ms(audit.median), verdict(audit.median < 2.0)))
        what = "`audit` at least 50× faster than `git verify-tag` once per tag"
        x = ratio(signed["estimate"], audit.median)
        if x is None:
            out.append((what, audit.skipped or "-", "not measured"))
        else:
            out.append((what, "%s (git: %s, extrapolated from %d tags)"
                        % (fmt_ratio(x), ms(signed["estimate"]), signed["sample"]),
                        verdict(x >= 50)))
    return out


def render_signed(signed):
    """The `audit` rows: registry's audit against `git verify-tag` once per tag."""
    L = ["## Signatures", ""]
    if "meta" not in signed:
        return L + ["Not run: %s." % signed["skipped"], ""]
    meta = signed["meta"]
    n = format(meta["events"], ",")
    L.append(
        "The signed repository has %s registry tags (the same plan as the unsigned ones, %d "
        "artifacts on %d commits, no other tags, packed refs), each SSH-signed with one ed25519 "
        "key exactly as `git tag -s` signs; `.registry.yaml` names `.registry/allowed_signers`, "
        "which holds that key for `release-bot@example.com` (`namespaces=\"git\"`), with no "
        "cut-over and no stage rules. It was generated once (in %.1f s, %.1f s of it signing: "
        "each tag's payload built by the script, signed in batches by a few `ssh-keygen -Y "
        "sign`, written by `git fast-import`), checked (every object is its payload and "
        "signature byte for byte; %d tags pass real `git verify-tag`), and cached in "
        "`target/bench/signed/`. `audit` is `registry audit` there. The baseline is a shell loop "
        "running `git -c gpg.ssh.allowedSignersFile=… verify-tag` once per tag over %d tags "
        "spread over the history, timed (median of %d runs after a warm-up) and extrapolated "
        "linearly to all %s."
        % (n, meta["artifacts"], meta["commits"], meta["seconds"], meta["sign_seconds"],
           CHECKED_TAGS, signed["sample"], len(signed["verify"].times), n)
    )
    L.append("")
    L.append("| signed events | command | median (min–max) | peak memory | per event | "
             "`git verify-tag` ÷ command |")
    L.append("| ---: | --- | --- | ---: | ---: | ---: |")
    for res in signed["audits"]:
        per = res.median / meta["events"] if res.median else None
        note = " (exit 1: policy breaks reported)" if 1 in res.codes else ""
        L.append("| %s | `%s` | %s%s | %s | %s | %s |" % (
            n, res.label, cell(res), note, mem(res), per_event(per),
            fmt_ratio(ratio(signed["estimate"], res.median))))
    v = signed["verify"]
    L.append("| %s | `git verify-tag` once per tag, extrapolated from %d | %s (%d tags: %s) | - "
             "| %s | 1.00× |" % (n, signed["sample"], ms(signed["estimate"]), signed["sample"],
                                 cell(v), per_event(signed["per_tag"])))
    L.append("")
    return L


def render(opts, info, rows, hashing, sizes, gto, started, load_before, load_after, registry_rev,
           signed=None, metrics=None):
    L = []
    L.append("# Benchmarks")
    L.append("")
    L.append(
        "Made by `python3 scripts/bench.py%s` (see the README's *Benchmarks*). Timings are "
        "wall-clock medians of %d runs (3 at 100,000 tags) after one untimed warm-up run, with "
        "the min–max spread; peak memory is measured on the warm-up run by %s. No number here "
        "is asserted by any test." % (" --smoke" if opts.smoke else "", opts.repeats, RSS_METHOD)
    )
    L.append("")
    L.append("- date: %s" % started.strftime("%Y-%m-%d %H:%M UTC"))
    L.append(
        "- machine: %s cores, %s, %s RAM, %s; SHA instructions (sha_ni): %s"
        % (info["cores"], info["cpu"], info["memory"], info["os"], "yes" if info["sha_ni"] else "no")
    )
    L.append(
        "- tools: %s; %s; GTO %s" % (info["git"], info["openssl"], gto[1] if gto else "not run")
    )
    L.append("- registry: %s build of commit %s" % (opts.profile, registry_rev))
    L.append("- load average (1, 5, 15 min) before: %s; after: %s" % (load_before, load_after))
    L.append("")
    L.append(
        "The **floor** is `git for-each-ref refs/tags --format='%%(refname) %%(objectname) "
        "%%(taggerdate:unix) %%(*objectname)'`: every tag's name, object and tagger date, read "
        "once. Repositories are generated with one `git fast-import` stream (generator version "
        "%d) and cached in `target/bench/repos/`; each has an `artifacts.yaml` in every commit, "
        "about 10%% non-registry tags (annotated `v1.2.3`, lightweight, registry-shaped "
        "lightweight), and the artifact `churn` with the same 40 tags at every size. *packed* is "
        "after `git pack-refs --all` (as in a fresh clone), *loose* has one file per tag. GTO runs "
        "on the packed copy only, once per command (capped at %d s per command at 2,000 tags, "
        "%d s above); write commands' tags are deleted after each run."
        % (GENERATOR, opts.gto_cap_small, opts.gto_cap)
    )
    L.append("")
    if rows:
        L.append("## Reads and writes")
        L.append("")
        L.append(
            "| tags | refs | command | registry: median (min–max) | peak memory | floor | "
            "÷ floor | GTO | GTO ÷ registry |"
        )
        L.append("| ---: | --- | --- | --- | ---: | ---: | ---: | ---: | ---: |")
        for r in rows:
            meta = r["meta"]
            tags = "%s + %s other" % (
                format(meta["registry_tags"], ","),
                format(meta["other_tags"], ","),
            )
            g = r["gto"]
            L.append(
                "| %s | %s | `%s` | %s | %s | %s | %s | %s | %s |"
                % (
                    tags,
                    r["layout"],
                    r["label"],
                    cell(r["registry"]),
                    mem(r["registry"]),
                    ms(r["floor"].median),
                    fmt_ratio(ratio(r["registry"].median, r["floor"].median)),
                    cell(g) if g is not None else "-",
                    gto_ratio(r)[0],
                )
            )
        L.append("")
        L.append(
            "`check-ref TAG` is `check-ref 'churn#prod#N'` (churn's last assignment); `register` is "
            "`register churn` (HEAD, the next patch version); `assign` is `assign churn --version V "
            "--stage prod`."
        )
        L.append("")
        L.append("## How the cost grows")
        L.append("")
        L.append(
            "`churn` has the same 40 tags at every size; only the other artifacts and the "
            "non-registry tags grow. `show churn`, `history churn`, `check-ref` and `register` "
            "read no other artifact's tag objects, so what grows with the repository is only "
            "finding churn's refs among the others. Each cell: the median, and in brackets the "
            "multiple of the smallest size's median."
        )
        L.append("")
        L.append(
            "| refs | tags (all) | floor | `show` | `show churn` | `history churn` | `check-ref` "
            "| `register` |"
        )
        L.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for layout in ("packed", "loose"):
            first = {}
            for size in sizes:
                fr = find_row(rows, size, layout, "show")
                cells = [ms(fr["floor"].median)]
                first.setdefault("floor", fr["floor"].median)
                cells[0] += " (%s)" % fmt_ratio(ratio(fr["floor"].median, first["floor"]))
                for label in ("show", "show churn", "history churn", "check-ref TAG", "register"):
                    m = find_row(rows, size, layout, label)["registry"].median
                    first.setdefault(label, m)
                    cells.append("%s (%s)" % (ms(m), fmt_ratio(ratio(m, first[label]))))
                total = fr["meta"]["registry_tags"] + fr["meta"]["other_tags"]
                L.append("| %s | %s | %s |" % (layout, format(total, ","), " | ".join(cells)))
        L.append("")
    if hashing:
        L.append("## Hashing")
        L.append("")
        L.append(
            "`registry register NAME --dry-run` of a git-ignored path, so the digest is of the "
            "work-tree copy; the whole command is timed (opening the repository, planning the "
            "tag, hashing). The page cache is warm for both sides."
        )
        L.append("")
        L.append(
            "| input | registry: median (min–max) | peak memory | baseline | baseline: median "
            "(min–max) | registry ÷ baseline | registry throughput |"
        )
        L.append("| --- | --- | ---: | --- | --- | ---: | ---: |")
        for name, reg, bname, base, nbytes in hashing:
            thr = "%.0f MB/s" % (nbytes / reg.median / 1e6) if reg.median else "-"
            L.append(
                "| %s | %s | %s | %s | %s | %s | %s |"
                % (
                    name,
                    cell(reg),
                    mem(reg),
                    bname,
                    cell(base),
                    fmt_ratio(ratio(reg.median, base.median)),
                    thr,
                )
            )
        L.append("")
    if rows and not opts.smoke:
        L.append("## Notes")
        L.append("")
        L.append(
            "- Loose refs: every tag is a file that must be opened and read, which is why the "
            "floor itself takes well over a second at 100,000 tags; `git gc` packs refs and a "
            "clone has them packed. `show churn` on loose refs grows only by listing the "
            "`refs/tags` directory (`readdir`), which git must do too."
        )
        L.append(
            "- What still grows in the write commands (profiled with `perf record` on `assign` at "
            "100,000 packed tags): libgit2's `git_reference_create` parses the whole "
            "`packed-refs` to check the new name against every ref (over 90% of `assign` "
            "there), and `register` also parses the whole `artifacts.yaml` at the commit (2,500 "
            "entries at that size) to find the artifact's path. Both are outside the read path "
            "(`Repo::create_tag`, `provenance::entry_at`)."
        )
        L.append(
            "- Numbers at 20,000 tags and above are against GTO's time cap, so \"GTO ÷ registry\" "
            "there is a lower bound. SPEC §7 recalls GTO's `check-ref` taking 219 s at 2,900 tags."
        )
        L.append("")
    if signed:
        L.extend(render_signed(signed))
    if metrics:
        import bench_metrics

        L.extend(bench_metrics.render(sys.modules[__name__], metrics))
    t = targets(rows, hashing, sizes, signed)
    if metrics:
        t.append(bench_metrics.target(sys.modules[__name__], metrics))
    if t:
        L.append("## SPEC §7 targets")
        L.append("")
        L.append("| target | measured | |")
        L.append("| --- | --- | --- |")
        for what, measured, v in t:
            L.append("| %s | %s | %s |" % (what, measured, v))
        L.append("")
    return "\n".join(L)


def run(opts):
    if opts.smoke:
        opts.sizes = opts.sizes or "300"
        opts.repeats = opts.repeats or 2
        opts.no_gto = True
        opts.big_mib = opts.big_mib or 16
        opts.files = opts.files or 200
        opts.profile = opts.profile or "debug"
        opts.out = opts.out or os.path.join(BENCH_DIR, "smoke.md")
        opts.hash_repeats = 2
        opts.signed_size = 500 if opts.signed_size is None else opts.signed_size
        opts.verify_sample = opts.verify_sample or 20
        opts.verify_repeats = 2
    else:
        opts.sizes = opts.sizes or "2000,20000,100000"
        opts.repeats = opts.repeats or 7
        opts.big_mib = opts.big_mib or 1024
        opts.files = opts.files or 10000
        opts.profile = opts.profile or "release"
        opts.out = opts.out or os.path.join(ROOT, "BENCHMARKS.md")
        opts.hash_repeats = 5
        opts.signed_size = 20000 if opts.signed_size is None else opts.signed_size
        opts.verify_sample = opts.verify_sample or 200
        opts.verify_repeats = 3
    sizes = [] if opts.no_repos else sorted(
        n for n in (int(x.replace("_", "")) for x in opts.sizes.split(",")) if n > 0
    )
    started = datetime.datetime.now(datetime.timezone.utc)
    load_before = load_average()
    registry = os.path.abspath(opts.registry or build_registry(opts.profile))
    rev = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    gto = None if opts.no_gto else find_gto()
    if gto:
        log("GTO %s: %s" % (gto[1], gto[0]))
    else:
        log("GTO: %s" % ("left out" if opts.no_gto else "not installed (REGISTRY_GTO or PATH)"))
    info = machine()
    runner = Runner(opts)
    rows = []
    gto_over = {}  # label -> (size, cap) where GTO did not finish

    for size in sizes:

        def skip_reason(label):
            if label in gto_over:
                at, cap = gto_over[label]
                return "not run (over %d s at %s)" % (cap, format(at, ","))
            return None

        log("== %s tags" % format(size, ","))
        new = bench_size(runner, size, registry, gto[0] if gto else None, opts, skip_reason)
        for r in new:
            g = r["gto"]
            if g is not None and g.timed_out is not None:
                gto_over.setdefault(r["label"], (size, g.timed_out))
        rows.extend(new)
    hashing = []
    if not opts.no_hash:
        log("== hashing (%d MiB file, %d files)" % (opts.big_mib, opts.files))
        hashing = bench_hashing(runner, registry, opts)
    signed = None
    if opts.signed_size and not opts.no_repos:
        log("== %s SSH-signed tags: audit, and git verify-tag on %d of them"
            % (format(opts.signed_size, ","), opts.verify_sample))
        signed = bench_signed(runner, registry, opts)
    metrics = None
    if not opts.no_repos:
        import bench_metrics

        log("== metrics: show NAME --metrics over %d versions" % bench_metrics.VERSIONS)
        metrics = bench_metrics.bench(sys.modules[__name__], runner, registry, opts)
    load_after = load_average()
    text = render(opts, info, rows, hashing, sizes, gto, started, load_before, load_after, rev,
                  signed, metrics)
    print(text)
    if os.path.exists(opts.out):
        # bench_fetch.py, bench_install.py and the release-build measurement write their own
        # sections: keep them, in the file's order.
        import bench_fetch_report as report

        old = open(opts.out, encoding="utf-8").read()
        for heading in KEPT_SECTIONS:
            kept = report.section_of(old, heading)
            text = report.splice(text, kept, heading) if kept else text
    return write_report(opts.out, text, runner)


# Sections of BENCHMARKS.md that other scripts (or a recorded one-off measurement) write.
KEPT_SECTIONS = ("## Fetching and getting", "## Installing", "## Release build")


def write_report(path, text, runner):
    """Writes the markdown `text` to `path` and lists the commands that failed: the exit
    status of a run (1 when any command failed; no timing is ever asserted)."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text.rstrip("\n") + "\n")
    log("wrote %s" % path)
    if runner.failures:
        log("\n%d command(s) failed:" % len(runner.failures))
        for f in runner.failures:
            log("- " + f.splitlines()[0])
        return 1
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--smoke", action="store_true", help="a few hundred tags, no GTO, small hashing inputs; for CI")
    ap.add_argument("--sizes", help="comma-separated registry tag counts (default 2000,20000,100000; 0: none)")
    ap.add_argument("--repeats", type=int, default=None, help="timed runs per command (default 7; 3 at 100,000)")
    ap.add_argument("--gto-cap", type=int, default=60, help="seconds GTO may take per command above 2,000 tags")
    ap.add_argument("--gto-cap-small", type=int, default=600, help="seconds GTO may take per command at 2,000 tags")
    ap.add_argument("--gto-repeats", type=int, default=1, help="timed GTO runs per command at 2,000 tags")
    ap.add_argument("--no-gto", action="store_true", help="leave GTO out even when installed")
    ap.add_argument("--no-hash", action="store_true", help="leave the hashing benchmark out")
    ap.add_argument("--no-repos", action="store_true", help="leave the tag benchmarks out (hashing only)")
    ap.add_argument("--signed-size", type=int, default=None, help="SSH-signed registry tags for audit (default 20000; 500 with --smoke; 0: none)")
    ap.add_argument("--verify-sample", type=int, default=None, help="tags `git verify-tag` runs on, extrapolated to all (default 200; 20 with --smoke)")
    ap.add_argument("--big-mib", type=int, default=None, help="size of the large file in MiB (default 1024)")
    ap.add_argument("--files", type=int, default=None, help="files in the directory (default 10000)")
    ap.add_argument("--registry", help="the registry binary (default: cargo build, then target/PROFILE/registry)")
    ap.add_argument("--profile", choices=["release", "debug"], default=None, help="which build to use (default release; debug with --smoke)")
    ap.add_argument("--out", help="markdown output (default BENCHMARKS.md; target/bench/smoke.md with --smoke)")
    opts = ap.parse_args()
    return run(opts)


if __name__ == "__main__":
    sys.exit(main())
