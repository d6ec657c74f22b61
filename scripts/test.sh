#!/usr/bin/env bash
# The Test command (README): installs what is missing, starts pcscd, builds, then lint (with the
# import rules), type-check, unit (SQLite + a throw-away PostgreSQL), hardware (pcscd + virtual cards)
# and browser tests (Debian Chromium). Any failure makes it exit non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/services.sh
step() { printf '\n=== %s ===\n' "$1"; }
step build;     npm run -s build
step lint;      npm run -s lint
step typecheck; npm run -s typecheck
step unit;      npx vitest run --project unit
step hardware;  npx vitest run --project hw
step browser;   npx vitest run --project e2e
printf '\nAll checks passed.\n'
