# syntax=docker/dockerfile:1
# Two images from one file (docs: README "Deploying with docker compose"):
#   --target web     the web app: no torch, no bubblewrap (it never runs student code)
#   --target worker  Celery worker + bubblewrap sandbox, CPU build of torch by default;
#                    --build-arg TORCH_INDEX=<a CUDA wheel index> for GPU workers
# Both run as the unprivileged user `llmcourse` (uid 10001); the package is installed from a wheel built
# in the first stage (no editable install, no source tree on the import path).
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS wheel
WORKDIR /src
COPY pyproject.toml setup.py README.md ./
COPY app ./app
COPY worker ./worker
COPY labkit ./labkit
COPY templates ./templates
COPY static ./static
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM ${PYTHON_IMAGE} AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    LLMCOURSE_PROJECT_DIR=/app LLMCOURSE_DATA_DIR=/data
RUN groupadd --system --gid 10001 llmcourse \
 && useradd --system --uid 10001 --gid llmcourse --home-dir /app --no-create-home --shell /usr/sbin/nologin llmcourse \
 && mkdir -p /data && chown llmcourse:llmcourse /data
WORKDIR /app
# Content and migrations are data, read from LLMCOURSE_PROJECT_DIR (never importable code).
COPY alembic.ini ./
COPY migrations ./migrations
COPY course ./course
COPY labs ./labs

FROM base AS web
RUN --mount=type=bind,from=wheel,source=/wheels,target=/wheels pip install /wheels/*.whl
USER llmcourse
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"]
CMD ["llmcourse", "web", "--host", "0.0.0.0", "--port", "8000", "--workers", "4"]

FROM base AS worker
# bubblewrap: the sandbox; libseccomp2: its syscall filter; util-linux: setpriv (entrypoint privilege drop)
RUN apt-get update \
 && apt-get install -y --no-install-recommends bubblewrap libseccomp2 util-linux \
 && rm -rf /var/lib/apt/lists/*
ARG TORCH_VERSION=2.13.0
ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu
RUN pip install --index-url "${TORCH_INDEX}" "torch==${TORCH_VERSION}"
RUN --mount=type=bind,from=wheel,source=/wheels,target=/wheels sh -c 'pip install "$(ls /wheels/*.whl)[ml]"'
COPY --chmod=0755 deploy/worker-entrypoint.sh /usr/local/bin/llmcourse-worker-entrypoint
USER llmcourse
# /metrics and /healthz of the worker (worker/metrics.py); unhealthy while the sandbox self-check fails
ENV LLMCOURSE_WORKER_METRICS_PORT=9808
EXPOSE 9808
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:9808/healthz', timeout=4).status == 200 else 1)"]
ENTRYPOINT ["llmcourse-worker-entrypoint"]
CMD ["llmcourse", "worker", "--queues", "cpu", "--concurrency", "2"]
