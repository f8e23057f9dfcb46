#!/usr/bin/env bash
# The whole test suite: quality gates first (fast), then pytest on both databases, then vitest.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
export SPATIALITE_LIBRARY_PATH="${SPATIALITE_LIBRARY_PATH:-mod_spatialite}"
say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

say "ruff (lint, format)"
ruff check .
ruff format --check .
say "mypy"
mypy
say "import-linter"
lint-imports --no-cache  # no cache folder in the repo root
if [ -f frontend/package.json ]; then
  say "eslint (frontend import boundaries and style)"
  (cd frontend && npm run lint --silent)
  say "vitest (frontend unit tests)"
  (cd frontend && npm test --silent)
fi
# every core (CIVICTWIN_TEST_WORKERS to change it, 0 for one process); the browser tests one
# after another on one worker, the rest beside them (tests/conftest.py)
workers="${CIVICTWIN_TEST_WORKERS:-$(nproc)}"
say "pytest (SpatiaLite and PostGIS, $workers workers)"
if [ "$workers" -gt 1 ]; then
  pytest -n "$workers" --dist loadgroup "$@"
else
  pytest "$@"
fi
