#!/usr/bin/env bash
# One command: install, migrate, load the course, run web + worker + scheduler on http://127.0.0.1:8000
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec .venv/bin/llmcourse run "$@"
