#!/usr/bin/env bash
# Validates the GitHub workflow files against GitHub's schema, offline, with @action-validator/cli
# (installed by npm into a temporary folder on first use).
set -euo pipefail
cd "$(dirname "$0")/.."
tool="${TMPDIR:-/tmp}/chaincore-action-validator"
if [ ! -x "$tool/node_modules/.bin/action-validator" ]; then
  mkdir -p "$tool"
  npm install --prefix "$tool" --no-audit --no-fund --silent @action-validator/cli@0.6.0 >&2
fi
status=0
for workflow in .github/workflows/*.yml; do
  if "$tool/node_modules/.bin/action-validator" "$workflow"; then
    echo "valid: $workflow"
  else
    echo "INVALID: $workflow" >&2
    status=1
  fi
done
exit "$status"
