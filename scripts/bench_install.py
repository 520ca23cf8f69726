#!/usr/bin/env python3
"""Install benchmark for `registry` (issue 13, point 6): how long each way of installing it takes
on this machine, measured in one run, for the README's "Install" section.

    python3 scripts/bench_install.py            # full run -> the "Installing" section of BENCHMARKS.md
    python3 scripts/bench_install.py --smoke    # the fast rows only (CI; target/bench/install-smoke.md)

Needs the wheel and the release binary it holds: run `bash scripts/ci/wheel.sh` first (it leaves
target/wheels/git_model_registry-*.whl and target/release/registry).

Rows, each into a fresh place (a new virtualenv, tool directory, install root or directory):
- `pip install` of the wheel into a fresh virtualenv (the venv itself is made untimed; a PyPI
  install adds the download of the wheel's size, printed beside it);
- `uv tool install` of the wheel, with a cold uv cache;
- the release archive, as the README's manual steps and the GitHub Action do it: download the
  archive and SHA256SUMS (from a server on 127.0.0.1, so the row is the tool's cost; add the
  archive's size over your link), `sha256sum -c`, `tar -x`;
- for scale, `pip install gto==1.10.1` from PyPI with no pip cache (full run only: it needs the
  network, whose speed is in the number);
- `cargo install --path . --locked` with every crate already downloaded and a fresh target
  directory (full run only: minutes), with its peak memory.
Each row checks that the installed `registry --version` runs. No timing is asserted: the exit
status is non-zero only when an install fails.
"""

import argparse
import datetime
import functools
import glob
import http.server
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench as B  # noqa: E402  (machine facts, the report writer)
import bench_fetch_report as report  # noqa: E402  (sections of BENCHMARKS.md)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADING = "## Installing"
UV_VERSION = "0.13.9"


class Failures:
    """What went wrong, for bench.write_report's exit status."""

    def __init__(self):
        self.failures = []


def timed(argv, cwd, env):
    """(seconds, peak RSS in KiB or None, exit code, stderr) of one run of `argv`, by bench.py's
    runner: peak memory by GNU time, which counts the largest process of the tree (rustc, for
    cargo). An install is seconds, so GNU time's millisecond does not matter here."""
    seconds, rss, code, _, err = B.run_once(argv, cwd, measure_rss=True, env=env)
    return seconds, rss, code, err.decode(errors="replace")


def runs_version(binary, failures, label):
    """The installed binary's `--version` line; a failure is recorded under `label`."""
    p = subprocess.run([binary, "--version"], capture_output=True, text=True)
    if p.returncode != 0 or not p.stdout.startswith("registry "):
        failures.failures.append("%s: %s --version failed: %s" % (label, binary, p.stderr.strip()))
        return None
    return p.stdout.strip()


def measure(label, repeats, failures, one):
    """Runs `one(scratch_dir)` `repeats` times, each in a new scratch directory; `one` returns
    (seconds, rss, code, stderr, installed binary). Returns a row dict."""
    times, rss, version = [], [], None
    for _ in range(repeats):
        with tempfile.TemporaryDirectory(prefix="bench-install-") as scratch:
            seconds, peak, code, err, binary = one(scratch)
            if code != 0:
                failures.failures.append("%s: exit %d: %s" % (label, code, err.strip()[-2000:]))
                return {"label": label, "failed": True}
            if binary:  # None: the row checked its own program
                version = runs_version(binary, failures, label) or version
            times.append(seconds)
            if peak:
                rss.append(peak)
    B.log("%s: %.2f s (median of %d)" % (label, statistics.median(times), len(times)))
    return {
        "label": label,
        "seconds": statistics.median(times),
        "runs": len(times),
        "rss_kb": max(rss) if rss else None,
        "version": version,
    }


def plain_env(**extra):
    env = dict(os.environ)
    for k in ("VIRTUAL_ENV", "PYTHONHOME", "PIP_REQUIRE_VIRTUALENV"):
        env.pop(k, None)
    env.update(extra)
    return env


def pip_wheel(wheel):
    def one(scratch):
        venv = os.path.join(scratch, "venv")
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        pip = os.path.join(venv, "bin", "pip")
        s, r, c, e = timed([pip, "install", "--quiet", "--no-index", "--disable-pip-version-check", wheel], scratch, plain_env())
        return s, r, c, e, os.path.join(venv, "bin", "registry")

    return one


def uv_tool(uv, wheel):
    def one(scratch):
        env = plain_env(
            UV_TOOL_DIR=os.path.join(scratch, "tools"),
            UV_TOOL_BIN_DIR=os.path.join(scratch, "bin"),
            UV_CACHE_DIR=os.path.join(scratch, "cache"),
            UV_PYTHON_DOWNLOADS="never",
            UV_NO_PROGRESS="1",
        )
        s, r, c, e = timed([uv, "tool", "install", "--offline", "--quiet", wheel], scratch, env)
        return s, r, c, e, os.path.join(scratch, "bin", "registry")

    return one


def serve(directory):
    """A static HTTP server over `directory` on 127.0.0.1, in a thread; its base URL."""
    handler = functools.partial(QuietHandler, directory=directory)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return "http://127.0.0.1:%d" % server.server_address[1]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


# The README's manual install ("Install", 2.), less its final `install` into ~/.local/bin.
ARCHIVE_STEPS = (
    'curl -fsSLO "$BASE/$ARCHIVE" && curl -fsSLO "$BASE/SHA256SUMS" '
    '&& sha256sum -c --ignore-missing SHA256SUMS && tar -xzf "$ARCHIVE"'
)


def release_archive(base, target):
    archive = "registry-%s.tar.gz" % target

    def one(scratch):
        env = plain_env(BASE=base, ARCHIVE=archive)
        s, r, c, e = timed(["sh", "-c", ARCHIVE_STEPS], scratch, env)
        return s, r, c, e, os.path.join(scratch, "registry-%s" % target, "registry")

    return one


def pip_gto():
    def one(scratch):
        venv = os.path.join(scratch, "venv")
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        pip = os.path.join(venv, "bin", "pip")
        s, r, c, e = timed([pip, "install", "--quiet", "--no-cache-dir", "--disable-pip-version-check", "gto==1.10.1"], scratch, plain_env())
        # gto's own `--version` stands in for `registry --version` here.
        ok = subprocess.run([os.path.join(venv, "bin", "gto"), "--version"], capture_output=True)
        return s, r, c or ok.returncode, e, None

    return one


def cargo_install():
    def one(scratch):
        env = plain_env(CARGO_TARGET_DIR=os.path.join(scratch, "target"), CARGO_TERM_COLOR="never")
        argv = ["cargo", "install", "--quiet", "--locked", "--path", ROOT, "--root", os.path.join(scratch, "root")]
        s, r, c, e = timed(argv, scratch, env)
        return s, r, c, e, os.path.join(scratch, "root", "bin", "registry")

    return one


def tool_uv():
    """uv, pinned, in target/bench/install-tools (installed once with pip)."""
    venv = os.path.join(ROOT, "target", "bench", "install-tools")
    uv = os.path.join(venv, "bin", "uv")
    if not os.path.exists(uv):
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        subprocess.run([os.path.join(venv, "bin", "pip"), "install", "--quiet", "--disable-pip-version-check", "uv==" + UV_VERSION], check=True)
    return uv


def mib(n):
    return "%.1f MiB" % (n / 1048576)


def render(opts, info, rows, sizes, started):
    L = [HEADING, ""]
    L.append(
        "By `python3 scripts/bench_install.py` on %s (%s cores, %s, %s), %s UTC, at commit %s. "
        "Each row installs into a fresh place and runs the installed `registry --version`; the "
        "median of the runs shown. Downloads come from this machine (a server on 127.0.0.1) "
        "except the GTO row's, which come from PyPI: add the download of the size shown over "
        "your own link."
        % (info["cpu"], info["cores"], info["memory"], info["os"], started, opts.rev)
    )
    L.append("")
    L.append("| How | Time | Runs | Peak memory | Download |")
    L.append("|---|---:|---:|---:|---:|")
    for r in rows:
        if r.get("failed"):
            L.append("| %s | failed | | | |" % r["label"])
            continue
        L.append(
            "| %s | %.2f s | %d | %s | %s |"
            % (
                r["label"],
                r["seconds"],
                r["runs"],
                ("%.0f MB" % (r["rss_kb"] / 1024)) if r.get("rss_kb") else "",
                r.get("download", ""),
            )
        )
    L.append("")
    L.append(
        "Sizes: the wheel %s, the release archive %s, the binary %s. `cargo install` compiles "
        "the release profile (LTO, one codegen unit) from source: it is the fallback for a "
        "platform with no wheel or binary."
        % (mib(sizes["wheel"]), mib(sizes["archive"]), mib(sizes["binary"]))
    )
    L.append("")
    return "\n".join(L)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--smoke", action="store_true", help="the fast rows only, one run each (CI)")
    ap.add_argument("--repeats", type=int, default=None, help="runs of each fast row (default 5; 1 with --smoke)")
    ap.add_argument("--wheel", help="the wheel (default: the newest target/wheels/git_model_registry-*.whl)")
    ap.add_argument("--binary", help="the release binary (default target/release/registry)")
    ap.add_argument("--out", help="the report (default BENCHMARKS.md; target/bench/install-smoke.md with --smoke)")
    opts = ap.parse_args()
    repeats = opts.repeats or (1 if opts.smoke else 5)
    opts.out = opts.out or os.path.join(ROOT, "target/bench/install-smoke.md" if opts.smoke else "BENCHMARKS.md")
    wheels = sorted(glob.glob(os.path.join(ROOT, "target", "wheels", "git_model_registry-*.whl")), key=os.path.getmtime)
    wheel = opts.wheel or (wheels[-1] if wheels else None)
    binary = opts.binary or os.path.join(ROOT, "target", "release", "registry")
    for what, path in (("wheel", wheel), ("release binary", binary)):
        if not path or not os.path.isfile(path):
            sys.exit("bench_install.py: no %s (%s): run `bash scripts/ci/wheel.sh` first" % (what, path))
    opts.rev = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip() or "?"
    started = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M")
    info = B.machine()
    failures = Failures()

    release = tempfile.mkdtemp(prefix="bench-release-")
    target = "x86_64-unknown-linux-musl" if os.uname().machine == "x86_64" else "aarch64-unknown-linux-musl"
    package = [sys.executable, os.path.join(ROOT, "scripts", "release", "package.py")]
    subprocess.run(package + ["archive", "--target", target, "--binary", binary, "--out", release], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(package + ["sums", release], check=True, stdout=subprocess.DEVNULL)
    archive = os.path.join(release, "registry-%s.tar.gz" % target)
    sizes = {"wheel": os.path.getsize(wheel), "archive": os.path.getsize(archive), "binary": os.path.getsize(binary)}
    base = serve(release)

    rows = [
        dict(measure("`pip install git-model-registry` (the wheel, into a fresh virtualenv)", repeats, failures, pip_wheel(wheel)), download=mib(sizes["wheel"])),
        dict(measure("`uv tool install git-model-registry` (the wheel, cold uv cache)", repeats, failures, uv_tool(tool_uv(), wheel)), download=mib(sizes["wheel"])),
        dict(measure("release archive: download, `sha256sum -c`, `tar -x`", repeats, failures, release_archive(base, target)), download=mib(sizes["archive"])),
    ]
    if not opts.smoke:
        rows.append(dict(measure("for scale: `pip install gto==1.10.1` from PyPI (no pip cache)", 1, failures, pip_gto()), download="PyPI"))
        rows.append(dict(measure("`cargo install --path . --locked` (crates downloaded, fresh target)", 1, failures, cargo_install()), download="crates cached"))
    shutil.rmtree(release, ignore_errors=True)
    section = render(opts, info, rows, sizes, started)
    print(section)
    text = section
    if not opts.smoke and os.path.exists(opts.out):
        text = report.splice(open(opts.out, encoding="utf-8").read(), section, HEADING)
    return B.write_report(opts.out, text, failures)


if __name__ == "__main__":
    sys.exit(main())
