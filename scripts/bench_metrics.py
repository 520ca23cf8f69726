"""The metrics row of scripts/bench.py (issue 14): `registry show NAME --metrics` for one
artifact of 1,000 versions (in --smoke mode too: it is small), each registration carrying 5
`Artifact-Metric` trailers, against the floor (`git for-each-ref` over the same tags).

The values come from the trailers only: `metrics_source::of_version` returns the recorded
trailers before it would read the metrics files at the version's commit (`at_commit`), so no
tree is read. The repository is generated with one `git fast-import` stream and cached in
target/bench/metrics/. Called from bench.py with bench.py's own module (`B`: the runner, the
formatting, `git`), so both share one copy of it.
"""

import json
import os
import subprocess

# Bump when the generated repository changes shape: the cache is keyed by it.
GENERATOR = 1
VERSIONS = 1000
ARTIFACT = "model"
KEYS = ("epochs", "eval.auc", "eval.f1", "latency_ms", "loss")


def repo_dir(B):
    return os.path.join(B.BENCH_DIR, "metrics", "g%d-%d" % (GENERATOR, VERSIONS))


def version_of(i):
    return "v%d.%d.0" % (1 + i // 100, i % 100)


def metrics_of(i):
    """Five values per version, as `register --metric` would record them."""
    return {
        "epochs": str(10 + i % 40),
        "eval.auc": "0.%04d" % (5000 + (i * 7919) % 5000),
        "eval.f1": "0.%04d" % (4000 + (i * 104729) % 6000),
        "latency_ms": str(20 + (i * 31) % 60),
        "loss": "0.%04d" % (1000 + (i * 131) % 9000),
    }


def stream(out):
    """The repository as one fast-import stream: VERSIONS commits, each registered (a tag with
    5 trailers), and two stage assignments."""
    ident = b"Bench <bench@example.com>"
    t0 = 1672531200
    yaml = b"model:\n  type: model\n  path: model.pkl\n"
    for c in range(VERSIONS):
        out.write(b"commit refs/heads/main\nmark :%d\n" % (c + 1))
        out.write(b"author %s %d +0000\ncommitter %s %d +0000\n" % (ident, t0 + c, ident, t0 + c))
        msg = b"Training run %d" % c
        out.write(b"data %d\n%s\n" % (len(msg), msg))
        if c:
            out.write(b"from :%d\n" % c)
        else:
            out.write(b"M 100644 inline artifacts.yaml\ndata %d\n%s\n" % (len(yaml), yaml))
        run = b"run %d\n" % c
        out.write(b"M 100644 inline model.pkl\ndata %d\n%s\n" % (len(run), run))
    for c in range(VERSIONS):
        v = version_of(c)
        trailers = "\n".join("Artifact-Metric: %s=%s" % kv for kv in sorted(metrics_of(c).items()))
        msg = ("Registering artifact %s version %s\n\n%s\n" % (ARTIFACT, v, trailers)).encode()
        tag = "%s@%s" % (ARTIFACT, v)
        out.write(b"tag %s\nfrom :%d\n" % (tag.encode(), c + 1))
        out.write(b"tagger %s %d +0000\n" % (ident, t0 + VERSIONS + c))
        out.write(b"data %d\n%s\n" % (len(msg), msg))
    for n, (stage, c) in enumerate((("staging", VERSIONS - 1), ("prod", VERSIONS - 2))):
        tag = "%s#%s#1" % (ARTIFACT, stage)
        msg = ("Assigning stage %s to artifact %s version %s\n"
               % (stage, ARTIFACT, version_of(c))).encode()
        out.write(b"tag %s\nfrom :%d\n" % (tag.encode(), c + 1))
        out.write(b"tagger %s %d +0000\n" % (ident, t0 + 2 * VERSIONS + n))
        out.write(b"data %d\n%s\n" % (len(msg), msg))
    out.write(b"done\n")


def generate(B):
    base = repo_dir(B)
    repo = os.path.join(base, "repo")
    if os.path.exists(os.path.join(base, "meta.json")):
        return repo
    tmp = B.fresh_build_dir(base)
    r = os.path.join(tmp, "repo")
    B.git(["init", "-q", "-b", "main", r], cwd=tmp)
    B.git(["config", "gc.auto", "0"], cwd=r)
    proc = subprocess.Popen(["git", "fast-import", "--quiet", "--done"], cwd=r, env=B.ENV,
                            stdin=subprocess.PIPE)
    stream(proc.stdin)
    proc.stdin.close()
    if proc.wait() != 0:
        raise B.Failure("git fast-import failed for the metrics repository")
    B.git(["reset", "-q", "--hard", "main"], cwd=r)
    B.git(["pack-refs", "--all"], cwd=r)  # as in a clone
    with open(os.path.join(tmp, "meta.json"), "w") as f:
        json.dump({"generator": GENERATOR, "versions": VERSIONS, "keys": list(KEYS)}, f)
    os.rename(tmp, base)
    B.log("generated %d versions with %d metrics each: %s" % (VERSIONS, len(KEYS), base))
    return repo


def expect_table(out):
    """Every metric a column, the newest and the oldest version a row."""
    text = out.decode(errors="replace")
    for needle in KEYS + (version_of(VERSIONS - 1), version_of(0), "prod"):
        if needle not in text:
            return "no %r in the table" % needle
    rows = [l for l in text.splitlines() if l[:1] == "v" and l[1:2].isdigit()]
    if len(rows) != VERSIONS:
        return "%d rows, not %d" % (len(rows), VERSIONS)
    return None


def bench(B, runner, registry, opts):
    """Times `show model --metrics --plain` and the floor; returns (registry, floor) results."""
    repo = generate(B)
    floor = runner.measure(
        "floor",
        ["git", "for-each-ref", "refs/tags",
         "--format=%(refname) %(objectname) %(taggerdate:unix) %(*objectname)"],
        repo, opts.repeats)
    res = runner.measure("show %s --metrics" % ARTIFACT,
                         [registry, "show", ARTIFACT, "--metrics", "--plain"], repo, opts.repeats,
                         check=expect_table)
    B.log("  %d versions × %d metrics  show --metrics %s  floor %s"
          % (VERSIONS, len(KEYS), B.cell(res), B.ms(floor.median)))
    return res, floor


def render(B, measured):
    res, floor = measured
    L = ["## Metrics", ""]
    L.append(
        "`registry show %s --metrics --plain` over one artifact of %s versions, each "
        "registration tag carrying %d `Artifact-Metric` trailers, plus two stage assignments "
        "(packed refs, generated once by `git fast-import` and cached in `target/bench/metrics/`). "
        "The values are read from the tag messages only: a version whose registration records "
        "metrics never has its tree read. The floor is the same `git for-each-ref` as above, "
        "over these tags." % (ARTIFACT, format(VERSIONS, ","), len(KEYS)))
    L.append("")
    L.append("| versions | command | registry: median (min–max) | peak memory | floor | ÷ floor |")
    L.append("| ---: | --- | --- | ---: | ---: | ---: |")
    L.append("| %s | `show %s --metrics` | %s | %s | %s | %s |" % (
        format(VERSIONS, ","), ARTIFACT, B.cell(res), B.mem(res), B.ms(floor.median),
        B.fmt_ratio(B.ratio(res.median, floor.median))))
    L.append("")
    return L


def target(B, measured):
    """Issue 14's target: under 50 ms at 1,000 versions."""
    res, _ = measured
    what = "`show NAME --metrics` at %s versions (5 metrics each) under 50 ms" % format(VERSIONS, ",")
    if res.skipped:
        return (what, res.skipped, "not measured")
    return (what, B.ms(res.median), B.verdict(res.median is not None and res.median < 0.05))
