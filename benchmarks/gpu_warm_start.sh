#!/usr/bin/env bash
# GPU warm start, cold against warm in one run (issue: warm start as a fork server, point 5). For a machine
# with an NVIDIA GPU, bubblewrap and the project's environment (scripts/bootstrap.sh): the zygote of a
# gpu-queue worker imports torch without initialising CUDA, and each forked child initialises it itself.
# Grades gpu labs at their GPU size, prints the device and a table of medians; fits in 8 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
.venv/bin/python -c "import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda, 'available', torch.cuda.is_available())"
timeout 450 .venv/bin/python benchmarks/bench_sandbox.py --devices auto --runs 4 --labs ${LABS:-lab24 lab44 lab60}
