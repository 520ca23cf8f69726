#!/usr/bin/env python3
"""The repositories of the fetch benchmark (bench_fetch.py): a served repository of registry tags
whose commits each change a few MiB of incompressible bytes, and one holding a large file and a
directory of many files for `registry get`. Generated once, cached under target/bench/fetch/."""

import os
import random
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench as B  # noqa: E402  (the runner, the repository plan and the formatting)

# Bump when the generated repositories change shape: the cache is keyed by it.
FETCH_GENERATOR = 1
FETCH_DIR = os.path.join(B.BENCH_DIR, "fetch")
HEADING = "## Fetching and getting"


def log(msg):
    B.log(msg)



# --------------------------------------------------------------------------------------------
# Generating the served repositories


def served_dir(tags, blob_kib):
    return os.path.join(FETCH_DIR, "f%d-%d-%dk" % (FETCH_GENERATOR, tags, blob_kib))


def fast_import(repo, write_stream):
    proc = subprocess.Popen(
        ["git", "fast-import", "--quiet", "--done"], cwd=repo, env=B.ENV, stdin=subprocess.PIPE
    )
    write_stream(proc.stdin)
    proc.stdin.close()
    if proc.wait() != 0:
        raise B.Failure("git fast-import failed in %s" % repo)


def serve(repo):
    """Packs refs (as a server's `git gc` leaves them) and allows partial clones."""
    B.git(["pack-refs", "--all"], cwd=repo)
    B.git(["config", "uploadpack.allowFilter", "true"], cwd=repo)
    B.git(["config", "uploadpack.allowAnySHA1InWant", "true"], cwd=repo)


def generate_served(tags, blob_kib):
    """The bench.py plan of about `tags` registry tags, every commit also changing a blob of
    `blob_kib` KiB of random bytes. Returns its metadata (generated on first use)."""
    base = served_dir(tags, blob_kib)
    meta_path = os.path.join(base, "meta.json")
    if os.path.exists(meta_path):
        return B.json.load(open(meta_path))
    if os.path.exists(base):
        shutil.rmtree(base)
    os.makedirs(FETCH_DIR, exist_ok=True)
    tmp = base + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    repo = os.path.join(tmp, "served.git")
    t0 = B.time.perf_counter()
    plan = B.plan_repository(tags)
    B.git(["init", "-q", "--bare", "-b", "main", repo], cwd=FETCH_DIR)
    B.git(["config", "gc.auto", "0"], cwd=repo)
    rng = random.Random(4242)

    def stream(out):
        # bench.py's plan, each commit with the churn model and the weights blob.
        ident = b"Bench <bench@example.com>"
        data = B.data_writer(out)

        def files_of(c):
            return [
                (b"models/churn.pkl", b"churn weights of run %d\n" % c),
                (b"models/weights.bin", rng.randbytes(blob_kib << 10)),
            ]

        B.write_commits(plan, out, ident, data, "scripts/bench_fetch.py", files_of)
        B.write_tags(plan, out, ident, data)

    fast_import(repo, stream)
    serve(repo)
    churn_reg = [t[0] for t in plan["tags"] if t[0].startswith("churn@")]
    meta = {
        "registry_tags": plan["registry_tags"],
        "other_tags": len(plan["extra"]),
        "commits": plan["commits"],
        "blob_bytes": plan["commits"] * (blob_kib << 10),
        "old_tag": churn_reg[0],
        "seconds": round(B.time.perf_counter() - t0, 1),
    }
    with open(os.path.join(tmp, "meta.json"), "w") as f:
        B.json.dump(meta, f, indent=1)
    os.rename(tmp, base)
    log("generated %s in %.1f s" % (base, meta["seconds"]))
    return meta


def generate_get(registry, big_mib, n_files):
    """A repository holding big.bin (`big_mib` MiB) and many/ (`n_files` files) in git, both
    registered. No work tree is checked out: `get` reads git, and the disk is spared."""
    base = os.path.join(FETCH_DIR, "get-%d-%dm-%d" % (FETCH_GENERATOR, big_mib, n_files))
    if os.path.exists(os.path.join(base, "meta.json")):
        return base, B.json.load(open(os.path.join(base, "meta.json")))
    shutil.rmtree(base, ignore_errors=True)
    os.makedirs(base)
    B.git(["init", "-q", "-b", "main"], cwd=base)
    B.git(["config", "gc.auto", "0"], cwd=base)
    rng = random.Random(99)
    block = rng.randbytes(1 << 20)

    def stream(out):
        out.write(b"commit refs/heads/main\nmark :1\n")
        out.write(b"committer Bench <bench@example.com> %d +0000\ndata 9\nartifacts\n" % B.BASE_TIME)
        yaml_text = b"big:\n  type: model\n  path: big.bin\nmany:\n  type: dataset\n  path: many\n"
        out.write(b"M 100644 inline artifacts.yaml\ndata %d\n%s\n" % (len(yaml_text), yaml_text))
        out.write(b"M 100644 inline big.bin\ndata %d\n" % (big_mib << 20))
        for i in range(big_mib):
            out.write(i.to_bytes(8, "little") + block[8:])  # every MiB differs
        out.write(b"\n")
        for i in range(n_files):
            size = rng.randint(1024, 32 * 1024)
            content = i.to_bytes(8, "little") + block[8:size]
            out.write(b"M 100644 inline many/part-%02d/file-%05d.bin\n" % (i % 50, i))
            out.write(b"data %d\n%s\n" % (len(content), content))
        out.write(b"done\n")

    fast_import(base, stream)
    # HEAD is main; the index and the work tree stay empty (nothing is checked out).
    meta = {}
    for name in ("big", "many"):
        r = subprocess.run([registry, "register", name, "main"], cwd=base, env=B.ENV,
                           capture_output=True, text=True)
        tags = sorted(B.tags_of(base, name + "@"))
        if r.returncode != 0 or len(tags) != 1:
            raise B.Failure("register %s failed in %s: %s" % (name, base, r.stderr[-800:]))
        message = B.git(["cat-file", "-p", tags[0]], cwd=base, capture_output=True, text=True).stdout
        if "Artifact-Digest-Source: git" not in message:
            raise B.Failure("register %s recorded no git digest:\n%s" % (name, message))
        meta[name] = tags[0][len("refs/tags/"):]
    meta["commit"] = B.git(["rev-parse", "main"], cwd=base, capture_output=True, text=True).stdout.strip()
    meta["big_oid"] = B.git(["rev-parse", "main:big.bin"], cwd=base, capture_output=True,
                            text=True).stdout.strip()
    with open(os.path.join(base, "meta.json"), "w") as f:
        B.json.dump(meta, f, indent=1)
    return base, meta
