"""The sample Grafana dashboard and scrape configuration name only series the platform exports."""
from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from worker import metrics

ROOT = Path(__file__).resolve().parents[2]
SUFFIXES = ("_bucket", "_count", "_sum", "_total")


def exported() -> set[str]:
    names = {family.name for family in metrics.REGISTRY.collect()}
    names |= {"llmcourse_queue_depth", "llmcourse_jobs_running", "llmcourse_database_up"}
    return names


def base_name(series: str) -> str:
    for suffix in SUFFIXES:
        if series.endswith(suffix):
            return series[: -len(suffix)]
    return series


def test_every_dashboard_query_uses_an_exported_series():
    dashboard = json.loads((ROOT / "deploy" / "grafana" / "llmcourse-dashboard.json").read_text())
    queries = [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    used = {base_name(name) for query in queries for name in re.findall(r"llmcourse_\w+", query)}
    assert used and used <= exported(), used - exported()
    assert {"llmcourse_queue_depth", "llmcourse_job_phase_seconds", "llmcourse_sandbox_runs",
            "llmcourse_worker_ready"} <= used


def test_the_scrape_configuration_targets_the_compose_services():
    config = yaml.safe_load((ROOT / "deploy" / "prometheus.yml").read_text())
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert jobs["llmcourse-web"]["static_configs"][0]["targets"] == ["web:8000"]
    workers = jobs["llmcourse-workers"]["dns_sd_configs"][0]
    assert set(workers["names"]) == {name for name in services if name.startswith(("cpu-worker", "gpu-worker"))}
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert f"LLMCOURSE_WORKER_METRICS_PORT={workers['port']}" in dockerfile
