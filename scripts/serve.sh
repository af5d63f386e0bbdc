#!/usr/bin/env bash
# Build the whole bilingual site and serve it at http://127.0.0.1:8000/gradients-reference/ (the path of site_url, as
# GitHub Pages serves it; Chinese at …/zh/).
# Rebuilds on changes to docs/, derivations/, docsgen/, hooks/ and overrides/ (a prose edit takes a few seconds:
# derived results, check runs, figures and notebooks come from the code-keyed caches in .cache/).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh docs
export NO_MKDOCS_2_WARNING=1
exec .venv/bin/mkdocs serve --strict "$@"
