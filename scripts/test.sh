#!/usr/bin/env bash
# The whole test suite. Extra arguments go to pytest.
#   LLMCOURSE_TEST_SERVICES=1  also runs the suite against PostgreSQL (127.0.0.1:5432/test) and Redis (CI does).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh --browser
export PYTHONDONTWRITEBYTECODE=1

phase_started=$SECONDS
phase() {  # prints how long the previous phase took, then the next phase's title
  [[ -n "${phase_name:-}" ]] && echo "== ${phase_name}: $((SECONDS - phase_started)) s =="
  phase_name="$1"; phase_started=$SECONDS
  [[ -n "$1" ]] && echo "== $1 =="
  return 0
}

check_dir="$(mktemp -d)"
phase "content check: all course files; every lab (two at a time) and code question through the sandbox"
LLMCOURSE_DATA_DIR="$check_dir" .venv/bin/llmcourse content check --report "$check_dir/labcheck.json"

phase "test suite: embedded defaults (SQLite, embedded broker); lab proofs reused from the content check"
LLMCOURSE_TEST_REFERENCES_DIR="$check_dir/references" LLMCOURSE_TEST_LABCHECK_REPORT="$check_dir/labcheck.json" \
  .venv/bin/python -m pytest -q -p no:cacheprovider -n "${LLMCOURSE_TEST_PROCESSES:-2}" --dist loadgroup "$@"

if [[ "${LLMCOURSE_TEST_SERVICES:-0}" == "1" ]]; then
  phase "test suite: PostgreSQL + Redis"
  LLMCOURSE_TEST_DATABASE_URL="${LLMCOURSE_TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}" \
  LLMCOURSE_TEST_BROKER_URL="${LLMCOURSE_TEST_BROKER_URL:-redis://127.0.0.1:6379/14}" \
    .venv/bin/python -m pytest -q -p no:cacheprovider -m "not browser and not labs" "$@"
fi
phase ""
echo "== total: ${SECONDS} s =="
