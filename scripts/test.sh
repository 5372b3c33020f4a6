#!/usr/bin/env bash
# The whole test suite. Extra arguments go to pytest.
#   LLMCOURSE_TEST_SERVICES=1  also runs the suite against PostgreSQL (127.0.0.1:5432/test) and Redis (CI does).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh --browser
export PYTHONDONTWRITEBYTECODE=1

check_dir="$(mktemp -d)"
echo "== content check: all course files; every lab and code question through the sandbox =="
LLMCOURSE_DATA_DIR="$check_dir" .venv/bin/llmcourse content check

echo "== test suite: embedded defaults (SQLite, embedded broker) =="
LLMCOURSE_TEST_REFERENCES_DIR="$check_dir/references" \
  .venv/bin/python -m pytest -q -p no:cacheprovider -n "${LLMCOURSE_TEST_PROCESSES:-2}" --dist loadgroup "$@"

if [[ "${LLMCOURSE_TEST_SERVICES:-0}" == "1" ]]; then
  echo "== test suite: PostgreSQL + Redis =="
  LLMCOURSE_TEST_DATABASE_URL="${LLMCOURSE_TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}" \
  LLMCOURSE_TEST_BROKER_URL="${LLMCOURSE_TEST_BROKER_URL:-redis://127.0.0.1:6379/14}" \
    .venv/bin/python -m pytest -q -p no:cacheprovider -m "not browser and not labs" "$@"
fi
