#!/usr/bin/env bash
# Install everything the site and the tests need, idempotently:
#   - a virtual environment .venv with the package and its pinned dependencies (requirements/constraints.txt)
#   - KaTeX (served by the site itself) and PurgeCSS (trims notebook styles at build) from npm (package-lock.json)
#   - Debian packages: a CJK font for Chinese plot labels and the Chinese PDF, and chromium, which prints the PDF
#     edition in the build (hooks/pdf.py) and runs the browser tests
# Usage: scripts/bootstrap.sh docs|site|test
#   docs: what `mkdocs build` needs (chromium included: it prints the PDF); site: docs + the PyTorch oracle (so the
#   published check tables skip nothing); test: site + test tools
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-test}

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
  echo "bootstrap: need root (or sudo) to run: $*" >&2; exit 2; fi; }

# --- Debian packages -----------------------------------------------------------------------------------------
need=()
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || need+=(chromium)  # every mode: the build prints the PDF edition
command -v npm >/dev/null || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null; then
    echo "bootstrap: please install ${need[*]} with your package manager (no apt-get here)" >&2; exit 2
  fi
  log "apt-get install ${need[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fc-cache -f >/dev/null 2>&1 || true
fi

# --- Python ------------------------------------------------------------------------------------------------
py=${PYTHON:-python3}
"$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "bootstrap: Python >= 3.11 required" >&2; exit 2; }
if [ ! -x .venv/bin/python ]; then
  log "creating .venv"
  "$py" -m venv .venv
fi
case "$what" in
  docs) extras=docs ;;
  site) extras=docs,oracle ;;
  test) extras=docs,test,oracle ;;
  *) echo "bootstrap: unknown mode '$what'; accepted: docs, site, test" >&2; exit 2 ;;
esac
stamp=.venv/.installed-$extras
if [ ! -f "$stamp" ] || [ requirements/constraints.txt -nt "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  log "pip install -e .[$extras] (pinned by requirements/constraints.txt)"
  .venv/bin/python -m pip install -q --upgrade pip
  # torch==2.13.0 (CPU) is the PyTorch oracle; see README for machines without a local CPU wheel.
  .venv/bin/python -m pip install -q -c requirements/constraints.txt -e ".[$extras]"
  touch "$stamp"
fi

# --- npm (KaTeX, PurgeCSS) ---------------------------------------------------------------------------------
if [ ! -f node_modules/katex/dist/katex.min.js ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "npm ci (KaTeX, PurgeCSS)"
  npm ci --no-audit --no-fund --loglevel=error
fi
