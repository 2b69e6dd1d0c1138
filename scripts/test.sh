#!/usr/bin/env bash
# The README's test command runs this (npm test): system packages, typecheck, lint, then the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system-deps.sh
npm run --silent typecheck
npm run --silent lint
node scripts/run-tests.mjs "$@"
