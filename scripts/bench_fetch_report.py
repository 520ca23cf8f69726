#!/usr/bin/env python3
"""The report of the fetch benchmark (bench_fetch.py): its section of BENCHMARKS.md, rendered from
the measurements, and spliced into the file without touching bench.py's sections."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench as B  # noqa: E402  (the runner, the repository plan and the formatting)

HEADING = "## Fetching and getting"

# --------------------------------------------------------------------------------------------
# Rendering


def mb(n):
    if n is None:
        return "-"
    return "%.1f MB" % (n / 1e6) if n < 100e6 else "%.0f MB" % (n / 1e6)


def own(res, own_kb):
    return "%s (%s)" % (B.mem(res), "-" if not own_kb else "%.0f MB" % (own_kb / 1024))


def median(res):
    return res.median if res is not None and not res.skipped else None


def within(a, b, limit):
    x = B.ratio(a, b)
    if x is None:
        return "-", "not measured"
    return B.fmt_ratio(x), B.verdict(x <= limit)


def render(opts, info, started, rev, meta, remote, ci, got, load):
    L = [HEADING, ""]
    L.append(
        "Made by `python3 scripts/bench_fetch.py%s` (see the README's *Benchmarks*): each "
        "registry command beside the git command that is its floor, in the same run, the two "
        "taking turns run by run (so both meet the same load on a shared machine). Medians of "
        "%d runs (%d for warm `show` and the no-op fetch) after one untimed warm-up run, with "
        "the min–max spread; peak memory on the warm-up run by %s; sizes by `du -sb`. No "
        "number here is asserted by any test."
        % (" --smoke" if opts.smoke else "", opts.repeats, max(opts.repeats, opts.fast_repeats),
           B.RSS_METHOD))
    L.append("")
    L.append("- date: %s; registry: %s build of commit %s" % (
        started.strftime("%Y-%m-%d %H:%M UTC"), opts.profile, rev))
    L.append("- machine: %s cores, %s, %s RAM, %s; %s" % (
        info["cores"], info["cpu"], info["memory"], info["os"], info["git"]))
    L.append("- load average (1, 5, 15 min) before: %s; after: %s" % load)
    L.append("- served repository: %s registry tags + %s other tags on %d commits, each commit "
             "changing `models/weights.bin` (%d KiB of random bytes: %s of blobs in all), packed "
             "refs, served over `file://` with `uploadpack.allowFilter` and "
             "`uploadpack.allowAnySHA1InWant` (generated once, cached in `target/bench/fetch/`)"
             % (format(meta["registry_tags"], ","), format(meta["other_tags"], ","),
                meta["commits"], opts.blob_kib, mb(meta["blob_bytes"])))
    L.append("")
    L.append("### `-C URL`: the mirror")
    L.append("")
    L.append("*Cold* starts from an empty `XDG_CACHE_HOME` each run; *warm* runs with the mirror "
             "of the run before. The no-op fetch is `git fetch --tags origin "
             "'+refs/heads/*:refs/heads/*'` in a blobless bare clone that is up to date.")
    L.append("")
    L.append("| command | median (min–max) | peak memory | on disk | git floor | floor: median | "
             "÷ floor | target | |")
    L.append("| --- | --- | ---: | ---: | --- | --- | ---: | --- | --- |")
    c_ratio, c_ok = within(median(remote["cold"]), median(remote["blobless"]), 2)
    L.append("| cold `show -C URL` | %s | %s | %s | `git clone --bare --filter=blob:none URL` | %s "
             "| %s | ≤ 2× | %s |" % (B.cell(remote["cold"]), B.mem(remote["cold"]),
                                   mb(remote["cache_size"]), B.cell(remote["blobless"]), c_ratio,
                                   c_ok))
    w_ratio, w_ok = within(median(remote["warm"]), median(remote["noop_fetch"]), 2)
    L.append("| warm `show -C URL` | %s | %s | - | no-op `git fetch` | %s | %s | ≤ 2× | %s |" % (
        B.cell(remote["warm"]), B.mem(remote["warm"]), B.cell(remote["noop_fetch"]), w_ratio, w_ok))
    s = B.ratio(remote["cache_size"], remote["full_size"])
    L.append("| the mirror's size | - | - | %s | `git clone --bare URL` (full) | %s | %s | < 5%% | "
             "%s |" % (mb(remote["cache_size"]), mb(remote["full_size"]),
                       "-" if s is None else "%.2f%%" % (100 * s),
                       "not measured" if s is None else B.verdict(s < 0.05)))
    L.append("")
    L.append("The clones of the same URL, for choosing the mirror's filter:")
    L.append("")
    L.append("| `git clone --bare` | median (min–max) | on disk | ÷ full clone's size |")
    L.append("| --- | --- | ---: | ---: |")
    for kind, flag in (("blobless", "--filter=blob:none"), ("treeless", "--filter=tree:0"),
                       ("full", "")):
        size = remote[kind + "_size"]
        x = B.ratio(size, remote["full_size"])
        L.append("| %s%s | %s | %s | %s |" % (
            kind, " (`%s`)" % flag if flag else "", B.cell(remote[kind]), mb(size),
            "-" if x is None else "%.2f%%" % (100 * x)))
    L.append("")
    L.append("### CI checkout")
    L.append("")
    L.append("Each checkout into an empty directory (a non-bare clone with its work tree), then "
             "`registry check-ref %s --format gitlab` there: churn's oldest registration, whose "
             "`artifacts.yaml` a blobless clone does not hold until it is fetched on demand. It "
             "must write `type` and `path`. Its untimed first run fetches what the clone lacks; the "
             "timed runs find it there." % meta["old_tag"])
    L.append("")
    L.append("| checkout | median (min–max) | on disk | `check-ref` there | what it wrote |")
    L.append("| --- | --- | ---: | --- | --- |")
    for row in ci:
        cr = row["check_ref"]
        if cr is None:
            said = "-"
        elif cr.skipped:
            first = (getattr(cr, "stderr", "").strip().splitlines() or [""])[0]
            said = "**%s**: %s" % (cr.skipped, first.replace("|", "\\|"))
        else:
            said = "type `%s`, path `%s`" % (cr.answer.get("type"), cr.answer.get("path"))
        L.append("| %s | %s | %s | %s | %s |" % (row["label"], B.cell(row["clone"]), mb(row["size"]),
                                                 B.cell(cr), said))
    L.append("")
    L.append("### `registry get`")
    L.append("")
    targets = []
    if "missing" in got:
        L.append("`get` not available in this binary (%s)." % got["missing"])
        L.append("")
    else:
        m = got["meta"]
        L.append("A repository holding, in git, one %d MiB file (`%s`) and a directory of %s "
                 "files (`%s`, %s), each registered with its digest. Both sides write into an "
                 "empty path (what the run before wrote is removed, untimed); the bytes written "
                 "are checked against git's." % (
                     opts.big_mib, m["big"], format(opts.files, ","), m["many"],
                     mb(got["dir_bytes"])))
        L.append("")
        L.append("Peak memory is of the whole process tree (GNU time reports the largest of the "
                 "command and its children); in brackets, of the registry process alone (its "
                 "VmHWM, sampled). A `git` child that maps a pack counts the pages it reads, "
                 "which is why `git cat-file` itself shows about the file's size.")
        L.append("")
        L.append("| command | median (min–max) | peak memory | git floor | floor: median | "
                 "peak memory | ÷ floor | target | |")
        L.append("| --- | --- | ---: | --- | --- | ---: | ---: | --- | --- |")
        f_ratio, f_ok = within(median(got["file"]), median(got["cat"]), 1.5)
        L.append("| `get %s -o FILE` | %s | %s | `git cat-file blob OID > FILE` | %s | %s | %s | "
                 "≤ 1.5× | %s |" % (m["big"], B.cell(got["file"]), own(got["file"], got["file_own"]),
                                     B.cell(got["cat"]), B.mem(got["cat"]), f_ratio, f_ok))
        d_ratio, d_ok = within(median(got["dir"]), median(got["archive"]), 1.0)
        L.append("| `get %s -o DIR` | %s | %s | `git archive COMMIT many \\| tar -x` | %s | %s | %s "
                 "| faster | %s |" % (m["many"], B.cell(got["dir"]), own(got["dir"], got["dir_own"]),
                                      B.cell(got["archive"]), B.mem(got["archive"]), d_ratio, d_ok))
        L.append("")
        rss = max(got["file"].rss_kb) / 1024 if got["file"].rss_kb else None
        alone = got["file_own"] / 1024 if got["file_own"] else None
        targets += [
            ("`get` of a %d MiB file within 1.5× of `git cat-file`" % opts.big_mib, f_ratio, f_ok),
            ("`get` of a %d MiB file under 64 MB of memory: the process tree" % opts.big_mib,
             "-" if rss is None else "%.0f MB" % rss,
             "not measured" if rss is None else B.verdict(rss < 64)),
            ("`get` of a %d MiB file under 64 MB of memory: the registry process alone"
             % opts.big_mib, "-" if alone is None else "%.0f MB" % alone,
             "not measured" if alone is None else B.verdict(alone < 64)),
            ("`get` of %s files faster than `git archive \\| tar -x`" % format(opts.files, ","),
             d_ratio, d_ok),
        ]
    works = [r for r in ci if r["check_ref"] is not None and not r["check_ref"].skipped]
    targets = [
        ("cold `show -C URL` within 2× of a blobless bare clone", c_ratio, c_ok),
        ("warm `show -C URL` within 2× of a no-op `git fetch`", w_ratio, w_ok),
        ("the mirror under 5% of a full clone", "-" if s is None else "%.2f%%" % (100 * s),
         "not measured" if s is None else B.verdict(s < 0.05)),
        ("`check-ref` on an old tag writes type and path in both CI checkouts",
         "%d of %d" % (len(works), len(ci)), B.verdict(len(works) == len(ci))),
    ] + targets
    L.append("### Issue 12 targets")
    L.append("")
    L.append("| target | measured | |")
    L.append("| --- | --- | --- |")
    for what, measured, v in targets:
        L.append("| %s | %s | %s |" % (what, measured, v))
    L.append("")
    return "\n".join(L)


def section_of(text, heading=HEADING):
    """The section of a BENCHMARKS.md text under `heading` (up to the next `## ` heading), or
    None. Each script that writes its own section (this one, bench_install.py) uses it."""
    i = text.find("\n" + heading + "\n")
    if i < 0:
        return None
    j = text.find("\n## ", i + 1)
    return text[i + 1: j + 1 if j >= 0 else len(text)]


def splice(text, section, heading=HEADING):
    """`text` with its section under `heading` replaced by `section` (appended when it has
    none)."""
    old = section_of(text, heading)
    section = section.rstrip("\n") + "\n"
    if old is None:
        return text.rstrip("\n") + "\n\n" + section
    # A section before another heading keeps the blank line that separates them.
    return text.replace(old, section + ("" if text.endswith(old) else "\n"), 1)
