#!/usr/bin/env bash
# Try registry: builds the release binary (minutes, the first time), makes a demo repository in
# a temporary directory, registers two versions of a model, promotes them to staging and prod,
# and prints the registry and its history. Touches nothing outside the temporary directory.
#
# REGISTRY_BIN=PATH (or a command name on PATH) runs that binary instead of building one: an
# installed `registry` (pip, uv, a release archive) needs no Rust toolchain.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if [ -n "${REGISTRY_BIN:-}" ]; then
  if ! registry="$(command -v -- "$REGISTRY_BIN")" || [ ! -x "$registry" ] || [ -d "$registry" ]; then
    printf 'quickstart: REGISTRY_BIN=%q is not an executable file\n' "$REGISTRY_BIN" >&2
    exit 1
  fi
  # Absolute, since the demo runs in another directory.
  case "$registry" in /*) ;; *) registry="$PWD/$registry" ;; esac
  echo "Using $registry (REGISTRY_BIN)"
else
  echo "Building registry (release)..."
  cargo build --release --quiet --manifest-path "$root/Cargo.toml"
  registry="$root/target/release/registry"
fi

demo="$(mktemp -d "${TMPDIR:-/tmp}/registry-demo.XXXXXX")"
cd "$demo"
git init -q -b main
# Use the demo repository's own identity if none is configured, so nothing global changes.
git config user.name >/dev/null || git config user.name "Demo User"
git config user.email >/dev/null || git config user.email "demo@example.com"

run() { printf '\n$ registry %s\n' "$*"; "$registry" "$@"; }

mkdir -p models
echo "weights, first training run" > models/churn.pkl
git add -A && git commit -q -m "Train churn model"
run register churn

echo "weights, retrained with more data" > models/churn.pkl
git add -A && git commit -q -m "Retrain churn model"
run register churn --bump-minor

run promote churn staging            # the latest version: v0.1.0
run promote churn@v0.0.1 prod        # a given version
run show
run show churn
run history
run check-ref 'churn#prod#2'

printf '\nThe demo repository is %s (git tag -n shows the tags; delete it when done).\n' "$demo"
