#!/usr/bin/env bash
# Installs what the platform needs into .venv (idempotent; fast when everything is present).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3

need_apt=()
command -v bwrap >/dev/null 2>&1 || need_apt+=(bubblewrap)
[[ -x /usr/bin/setpriv ]] || need_apt+=(util-linux)         # drops sandboxed code to the sandbox user
ldconfig -p 2>/dev/null | grep -q 'libseccomp\.so\.2' || need_apt+=(libseccomp2)   # the sandbox's syscall filter
command -v docker-compose >/dev/null 2>&1 || need_apt+=(docker-compose)  # tests/deploy: compose config checks
if [[ "${1:-}" == "--browser" ]]; then
  command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
fi
if ((${#need_apt[@]})); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing system packages: ${need_apt[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need_apt[@]}" >/dev/null || {
      apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need_apt[@]}" >/dev/null; }
  else
    echo "Please install: ${need_apt[*]} (e.g. sudo apt-get install ${need_apt[*]})" >&2
    [[ " ${need_apt[*]} " == *" bubblewrap "* ]] && echo "Without bubblewrap the worker refuses to run student code." >&2
  fi
fi

if [[ ! -x .venv/bin/python ]]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.llmcourse-installed
if [[ ! -f $stamp || pyproject.toml -nt $stamp ]]; then
  .venv/bin/python -m pip install -q --upgrade pip
  # The pinned CPU build of torch first: a looser requirement would pull a multi-GB CUDA build.
  .venv/bin/python -m pip install -q "torch==2.13.0"
  .venv/bin/python -m pip install -q -e ".[ml,dev]"
  touch "$stamp"
fi
