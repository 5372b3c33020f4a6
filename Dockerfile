# One image for web, CPU workers and (with a CUDA base, see docs) GPU workers.
FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends bubblewrap libseccomp2 util-linux git && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY setup.py ./
COPY app ./app
COPY templates ./templates
COPY static ./static
COPY worker ./worker
COPY labkit ./labkit
COPY migrations ./migrations
COPY alembic.ini ./
COPY course ./course
COPY labs ./labs
ARG TORCH_SPEC="torch==2.13.0"
ARG TORCH_INDEX=""
RUN pip install --no-cache-dir ${TORCH_INDEX:+--index-url $TORCH_INDEX} "$TORCH_SPEC" \
 && pip install --no-cache-dir -e ".[ml]"
ENV LLMCOURSE_DATA_DIR=/data
VOLUME /data
EXPOSE 8000
CMD ["llmcourse", "run", "--host", "0.0.0.0"]
