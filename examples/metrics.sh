#!/usr/bin/env bash
# Metrics, end to end: registers two versions of a model whose evaluation wrote
# eval/metrics.json, picks the better one, and puts a prod gate in .registry.yaml that refuses
# the worse one. Makes a demo repository in a temporary directory; touches nothing else.
#
# REGISTRY_BIN=PATH (or a command name on PATH) runs that binary; otherwise it is built
# (release, minutes the first time).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if [ -n "${REGISTRY_BIN:-}" ]; then
  if ! registry="$(command -v -- "$REGISTRY_BIN")" || [ ! -x "$registry" ] || [ -d "$registry" ]; then
    printf 'metrics: REGISTRY_BIN=%q is not an executable file\n' "$REGISTRY_BIN" >&2
    exit 1
  fi
  case "$registry" in /*) ;; *) registry="$PWD/$registry" ;; esac
else
  echo "Building registry (release)..."
  cargo build --release --quiet --manifest-path "$root/Cargo.toml"
  registry="$root/target/release/registry"
fi

demo="$(mktemp -d "${TMPDIR:-/tmp}/registry-metrics.XXXXXX")"
cd "$demo"
git init -q -b main
git config user.name >/dev/null || git config user.name "Demo User"
git config user.email >/dev/null || git config user.email "demo@example.com"

run() { printf '\n$ registry %s\n' "$*"; "$registry" "$@"; }
# A command the demo expects to be refused: its exit status 1 is the point.
refused() {
  printf '\n$ registry %s   # refused, as it should be\n' "$*"
  if "$registry" "$@"; then echo "metrics: expected a refusal" >&2; exit 1; fi
}

# The model and where its evaluation writes its scores.
cat > artifacts.yaml <<'YAML'
churn:
  type: model
  path: models/churn.pkl
  metrics: [eval/metrics.json]
YAML
mkdir -p models eval
echo "weights, first run" > models/churn.pkl
echo '{"eval": {"auc": 0.913}, "latency_ms": 41}' > eval/metrics.json
git add -A && git commit -q -m "Train churn: auc 0.913"
run register churn                      # records eval.auc=0.913, latency_ms=41 in the tag

echo "weights, smaller and faster" > models/churn.pkl
echo '{"eval": {"auc": 0.874}, "latency_ms": 18}' > eval/metrics.json
git add -A && git commit -q -m "Retrain churn: auc 0.874, faster"
run register churn --bump-minor --metric dataset=2026-11  # plus a value no file holds

run show churn --metrics --sort-by eval.auc       # the best first
run show churn --metrics --sort-by latency_ms --asc
run diff churn v0.0.1 v0.1.0

# The gate: prod takes only a version scoring well enough, on the default branch.
cat > .registry.yaml <<'YAML'
authorize:
  stages:
    prod:
      metrics: ["eval.auc >= 0.9", "latency_ms < 50"]
YAML
git add -A && git commit -q -m "Gate prod on its metrics"

refused promote churn@v0.1.0 prod       # eval.auc 0.874 fails eval.auc >= 0.9
run promote churn@v0.0.1 prod
run compare churn v0.1.0 '#prod'
run check-ref 'churn#prod#1' --policy --json

printf '\nThe demo repository is %s (delete it when done).\n' "$demo"
