#!/usr/bin/env python3
"""Fetch benchmarks for `registry` (issue 12, point 5): fetching only what a command needs, and
`registry get`, each against the git command that is its floor, measured in the same run.

    python3 scripts/bench_fetch.py            # full run -> the "Fetching and getting" section of BENCHMARKS.md
    python3 scripts/bench_fetch.py --smoke    # a few MB, 100 files: seconds (CI; target/bench/fetch-smoke.md)
    python3 scripts/bench_fetch.py --help

What it does:
- generates (once, cached in target/bench/fetch/) a repository with about 2,000 registry tags
  (bench.py's plan: the same artifacts, tags and non-registry tags) whose every commit also
  changes `models/weights.bin`, a few MiB of incompressible bytes (about 300 MB in all), with
  packed refs, served over file:// with uploadpack.allowFilter and uploadpack.allowAnySHA1InWant;
- times cold `registry show -C file://URL` (a fresh XDG_CACHE_HOME each run) against
  `git clone --bare --filter=blob:none` of the URL, warm `show -C URL` against a no-op
  `git fetch` in such a clone, and the cache's size against a full `git clone --bare`'s; a
  treeless (`--filter=tree:0`) clone is timed and sized beside them;
- times the CI checkouts: `git clone --depth 1` then `git fetch --tags`, against a blobless
  clone with every tag (the examples' checkout), and runs `registry check-ref` on churn's oldest
  registration in each: it must say `type` and `path` (an empty answer is a failure);
- generates (once) a repository holding, in git, one 1 GiB file and a directory of 10,000 files,
  registers both (so their digests are recorded), and times `registry get` of each against
  `git cat-file blob OID > FILE` and `git archive COMMIT PATH | tar -x`, checking that the
  bytes written are git's; peak memory by GNU time as in bench.py.

A binary without `get` gets rows saying so. No timing is asserted: the exit status is non-zero
only when a command fails or writes the wrong thing. bench.py keeps this section of
BENCHMARKS.md when it rewrites the file.
"""

import argparse
import datetime
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench as B  # noqa: E402  (the runner, the repository plan and the formatting)

from bench_fetch_repos import FETCH_DIR, generate_get, generate_served, log, served_dir  # noqa: E402
from bench_fetch_report import render, splice  # noqa: E402

# --------------------------------------------------------------------------------------------
# Timing


class Spec:
    """One command to time: `before()` runs before each run and `after()` after it, untimed
    (they remove what a run wrote, so each starts the same: a cold cache, no clone, no output);
    `check(stdout)` judges the warm-up run, before its `after()`."""

    def __init__(self, label, argv, cwd, before=None, after=None, check=None):
        self.label, self.argv, self.cwd = label, argv, cwd
        self.before, self.after, self.check = before, after, check


def measure_together(runner, specs, repeats):
    """Each spec `repeats` times after one untimed warm-up run (peak memory and the check are
    taken on that one), the specs taking turns run by run: a command and its git floor then
    share whatever else the machine was doing, which a run of one after the other would not."""
    results = [B.Result(sp.label) for sp in specs]
    for i in range(repeats + 1):
        for sp, res in zip(specs, results):
            if res.skipped:
                continue
            if sp.before:
                sp.before()
            secs, rss, code, out, err = B.run_once(sp.argv, sp.cwd, capture=(i == 0),
                                                   measure_rss=(i == 0))
            if rss is not None:
                res.rss_kb.append(rss)
            res.codes.append(code)
            problem = None
            if code != 0:
                problem = "failed (exit %d)" % code
                res.stderr = err.decode(errors="replace")
                msg = "%s failed (exit %d) in %s:\n%s" % (
                    " ".join(sp.argv), code, sp.cwd, res.stderr[-2000:])
            elif i == 0 and sp.check and sp.check(out):
                problem = "wrong output"
                msg = "%s wrote the wrong thing: %s" % (" ".join(sp.argv), sp.check(out))
            if sp.after:
                sp.after()
            if problem:
                runner.failures.append(msg)
                log("FAILED: " + msg)
                res.skipped = problem
            elif i > 0:
                res.times.append(secs)
    return results


def measure(runner, label, argv, cwd, repeats, before=None, check=None):
    """One command alone (see `measure_together`)."""
    return measure_together(runner, [Spec(label, argv, cwd, before=before, check=check)],
                            repeats)[0]


def du(path):
    """Bytes on disk under `path` (`du -sb`: apparent sizes, as git's own counts are)."""
    r = subprocess.run(["du", "-sb", path], capture_output=True, text=True, check=True)
    return int(r.stdout.split()[0])


def rm(*paths):
    def go():
        for p in paths:
            if os.path.isdir(p) and not os.path.islink(p):
                shutil.rmtree(p)
            elif os.path.lexists(p):
                os.unlink(p)
    return go


def own_peak_kb(argv, cwd, before):
    """The peak resident memory of the process `argv` itself, without its children (GNU time's
    figure is the largest of the whole tree): its VmHWM, a high-water mark, sampled every few
    milliseconds until it exits, so a lower bound by at most the last few milliseconds."""
    before()
    p = subprocess.Popen(argv, cwd=cwd, env=B.ENV, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    peak = None
    while p.poll() is None:
        try:
            with open("/proc/%d/status" % p.pid) as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        peak = max(peak or 0, int(line.split()[1]))
        except OSError:
            pass
        B.time.sleep(0.003)
    return peak if p.returncode == 0 else None


def has_get(registry):
    r = subprocess.run([registry, "get", "--help"], env=B.ENV, capture_output=True, text=True)
    if r.returncode == 0:
        return None
    return (r.stderr.strip().splitlines() or ["exit %d" % r.returncode])[0]


def expect_churn(out):
    return None if b"churn" in out else "no churn in the output"


def bench_remote(runner, registry, opts, meta, work):
    """`show -C URL`, cold and warm, against blobless, treeless and full bare clones."""
    url = "file://" + os.path.join(served_dir(opts.tags, opts.blob_kib), "served.git")
    cache = os.path.join(work, "cache")
    B.ENV["XDG_CACHE_HOME"] = cache  # the mirror cache; run_once passes B.ENV to every child
    show = [registry, "show", "-C", url]
    blobless = os.path.join(work, "blobless.git")
    r = {}
    # Cold show and the blobless clone it is held to, taking turns; then warm show and a no-op
    # fetch in that clone, taking turns.
    r["cold"], r["blobless"] = measure_together(runner, [
        Spec("cold show", show, work, before=rm(cache), check=expect_churn),
        Spec("blobless", ["git", "clone", "-q", "--bare", "--filter=blob:none", url, blobless],
             work, before=rm(blobless)),
    ], opts.repeats)
    r["cache_size"] = du(cache) if os.path.isdir(cache) else None
    r["blobless_size"] = du(blobless) if os.path.isdir(blobless) else None
    r["warm"], r["noop_fetch"] = measure_together(runner, [
        Spec("warm show", show, work, check=expect_churn),
        Spec("no-op fetch", ["git", "-C", blobless, "fetch", "-q", "--tags", "origin",
                             "+refs/heads/*:refs/heads/*"], work),
    ], max(opts.repeats, opts.fast_repeats))
    rm(blobless)()
    for kind, flags in (("treeless", ["--filter=tree:0"]), ("full", [])):
        dest = os.path.join(work, kind + ".git")
        r[kind] = measure(runner, kind, ["git", "clone", "-q", "--bare"] + flags + [url, dest],
                          work, opts.repeats, before=rm(dest))
        r[kind + "_size"] = du(dest) if os.path.isdir(dest) else None
        rm(dest)()
    rm(cache)()
    return r


def gitlab_report(path):
    values = {}
    if os.path.exists(path):
        for line in open(path, encoding="utf-8", errors="replace"):
            k, _, v = line.rstrip("\n").partition("=")
            values[k] = v
    return values


def bench_ci(runner, registry, opts, meta, work):
    """The two CI checkouts, and `check-ref` on an old tag in each."""
    url = "file://" + os.path.join(served_dir(opts.tags, opts.blob_kib), "served.git")
    rows = []
    checkouts = (
        ("`git clone --depth 1`, then `git fetch --tags`",
         'git clone -q --depth 1 "$0" "$1" && git -C "$1" fetch -q --tags origin'),
        ("blobless: `git clone --filter=blob:none`, then `git fetch --force --tags` (the examples')",
         'git clone -q --filter=blob:none "$0" "$1" && git -C "$1" fetch -q --force --tags origin'),
    )
    for label, script in checkouts:
        dest = os.path.join(work, "checkout")
        res = measure(runner, label, ["bash", "-c", script, url, dest], work, opts.repeats,
                      before=rm(dest))
        size = du(dest) if os.path.isdir(dest) else None
        report = os.path.join(work, "check-ref.env")
        tag = meta["old_tag"]

        def said_what(out, report=report):
            got = gitlab_report(report)
            if not got.get("type") or not got.get("path"):
                return "empty type/path for %s: %r" % (tag, got)
            return None

        cr = None
        if os.path.isdir(dest):
            cr = measure(runner, "check-ref",
                         [registry, "check-ref", tag, "--format", "gitlab", "--output", report],
                         dest, opts.repeats, before=rm(report), check=said_what)
            cr.answer = gitlab_report(report)
        rows.append({"label": label, "clone": res, "size": size, "check_ref": cr})
        rm(dest, report)()
    return rows


def bench_get(runner, registry, opts, work):
    """`registry get` of a large file and of a directory of many files, against git."""
    missing = has_get(registry)
    if missing:
        log("get: not in this binary (%s)" % missing)
        return {"missing": missing}
    base, meta = generate_get(registry, opts.big_mib, opts.files)
    r = {"meta": meta}
    git_file, reg_file = os.path.join(work, "git.bin"), os.path.join(work, "get.bin")
    seen = {}

    def git_wrote(out):
        seen["file"] = B.sha256_file(git_file)

    def get_wrote(out):
        if not os.path.exists(reg_file) or B.sha256_file(reg_file) != seen.get("file"):
            return "the bytes written are not git's"
        return None

    r["cat"], r["file"] = measure_together(runner, [
        Spec("cat-file", ["bash", "-c", 'git cat-file blob "$0" > "$1"', meta["big_oid"], git_file],
             base, before=rm(git_file), after=rm(git_file), check=git_wrote),
        Spec("get file", [registry, "get", meta["big"], "-o", reg_file], base,
             before=rm(reg_file), after=rm(reg_file), check=get_wrote),
    ], opts.repeats)
    r["file_own"] = own_peak_kb([registry, "get", meta["big"], "-o", reg_file], base, rm(reg_file))
    rm(reg_file)()
    git_dir, reg_dir = os.path.join(work, "archive"), os.path.join(work, "get-dir")

    def archive_wrote(out):
        seen["dir"] = B.manifest_digest(os.path.join(git_dir, "many"))
        seen["dir_bytes"] = du(os.path.join(git_dir, "many"))

    def get_dir_wrote(out):
        if not os.path.isdir(reg_dir) or B.manifest_digest(reg_dir) != seen.get("dir"):
            return "the files written are not git's"
        return None

    r["archive"], r["dir"] = measure_together(runner, [
        Spec("archive", ["bash", "-c", 'mkdir "$1" && git archive "$0" many | tar -x -C "$1"',
                         meta["commit"], git_dir], base,
             before=rm(git_dir), after=rm(git_dir), check=archive_wrote),
        Spec("get dir", [registry, "get", meta["many"], "-o", reg_dir], base,
             before=rm(reg_dir), after=rm(reg_dir), check=get_dir_wrote),
    ], opts.repeats)
    r["dir_bytes"] = seen.get("dir_bytes")
    r["dir_own"] = own_peak_kb([registry, "get", meta["many"], "-o", reg_dir], base, rm(reg_dir))
    rm(reg_dir)()
    return r



def run(opts):
    if opts.smoke:
        opts.tags = opts.tags or 300
        opts.blob_kib = opts.blob_kib or 64
        opts.big_mib = opts.big_mib or 4
        opts.files = opts.files or 100
        opts.repeats = opts.repeats or 2
        opts.fast_repeats = 2
        opts.profile = opts.profile or "debug"
        opts.out = opts.out or os.path.join(B.BENCH_DIR, "fetch-smoke.md")
    else:
        opts.tags = opts.tags or 2000
        opts.blob_kib = opts.blob_kib or 3072
        opts.big_mib = opts.big_mib or 1024
        opts.files = opts.files or 10000
        opts.repeats = opts.repeats or 5
        opts.fast_repeats = 21  # warm show and the no-op fetch take milliseconds: more runs
        opts.profile = opts.profile or "release"
        opts.out = opts.out or os.path.join(B.ROOT, "BENCHMARKS.md")
    started = datetime.datetime.now(datetime.timezone.utc)
    load_before = B.load_average()
    registry = os.path.abspath(opts.registry or B.build_registry(opts.profile))
    rev = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=B.ROOT,
                         capture_output=True, text=True).stdout.strip()
    info = B.machine()
    runner = B.Runner(opts)
    work = os.path.join(FETCH_DIR, "work")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    log("== served repository: %d tags, %d KiB per commit" % (opts.tags, opts.blob_kib))
    meta = generate_served(opts.tags, opts.blob_kib)
    log("== -C URL")
    remote = bench_remote(runner, registry, opts, meta, work)
    log("== CI checkouts")
    ci = bench_ci(runner, registry, opts, meta, work)
    log("== get (%d MiB file, %d files)" % (opts.big_mib, opts.files))
    got = bench_get(runner, registry, opts, work)
    shutil.rmtree(work, ignore_errors=True)
    section = render(opts, info, started, rev, meta, remote, ci, got,
                     (load_before, B.load_average()))
    print(section)
    if opts.smoke or not os.path.exists(opts.out):
        text = section
    else:
        text = splice(open(opts.out, encoding="utf-8").read(), section)
    return B.write_report(opts.out, text, runner)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--smoke", action="store_true", help="tiny sizes (a few MB, 100 files), 2 runs; for CI")
    ap.add_argument("--tags", type=int, default=None, help="registry tags of the served repository (default 2000)")
    ap.add_argument("--blob-kib", type=int, default=None, help="KiB of random bytes each commit changes (default 3072)")
    ap.add_argument("--big-mib", type=int, default=None, help="size of the file `get` writes, in MiB (default 1024)")
    ap.add_argument("--files", type=int, default=None, help="files in the directory `get` writes (default 10000)")
    ap.add_argument("--repeats", type=int, default=None, help="timed runs per command (default 5; 2 with --smoke)")
    ap.add_argument("--registry", help="the registry binary (default: cargo build, then target/PROFILE/registry)")
    ap.add_argument("--profile", choices=["release", "debug"], default=None, help="which build (default release; debug with --smoke)")
    ap.add_argument("--out", help="markdown output (default: its section of BENCHMARKS.md; target/bench/fetch-smoke.md with --smoke)")
    return run(ap.parse_args())


if __name__ == "__main__":
    sys.exit(main())
