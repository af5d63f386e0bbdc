#!/usr/bin/env bash
# Run every check: lint, strict build of the whole site, `python -m derivations verify`, and pytest
# (derivation tests, CLI, built-site tests, the never-stale rebuild test and the real-browser suite).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh test
export NO_MKDOCS_2_WARNING=1 PATH="$PWD/.venv/bin:$PATH"

echo "==> ruff"
ruff check .
ruff format --check .
echo "==> mkdocs build --strict (en + zh, with the PDF edition)"
start=$(date +%s)
mkdir -p .cache
if ! GRADIENTS_PDF=1 mkdocs build --strict > .cache/build.log 2>&1; then
  cat .cache/build.log >&2
  echo "mkdocs build --strict failed (log above)" >&2
  exit 1
fi
grep -E "WARNING|ERROR" .cache/build.log || true
echo "    built in $(( $(date +%s) - start )) s"
echo "==> python -m derivations verify"
python -m derivations verify
echo "==> bilingual parity"
python -m tools.parity --report
echo "==> pytest"
# two workers (pytest-xdist; the tests of one file run on one worker, in order): the machine has 2 cores, and
# tests must not depend on load anyway
GRADIENTS_SITE_DIR="$PWD/site" python -m pytest -n 2 --dist loadfile --durations=30 "$@"
