"""GPU labs carry a CPU-sized configuration (laptops, CI, CPU-only workers) and a GPU-sized one (a worker
that owns a GPU); the harness sees the chosen one as ctx.config."""
from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from labkit.manifest import LabManifest
from worker.grading import Lab, lab_env

BASE = {"id": "lab40", "week": 20, "title": "Mixed precision", "submit_file": "amp.py",
        "checks": [{"name": "a", "visible": True, "points": 1}, {"name": "b", "points": 1},
                   {"name": "c", "points": 1}]}
SIZES = {"cpu": {"steps": 20, "d_model": 32}, "gpu": {"steps": 400, "d_model": 256, "amp": "fp16"}}


def manifest(**extra) -> LabManifest:
    return LabManifest.model_validate({**BASE, **extra})


def test_a_gpu_lab_runs_its_gpu_configuration_only_where_the_worker_owns_a_gpu():
    lab = manifest(device="gpu", configs=SIZES)
    assert lab.size_for(has_gpu=True) == "gpu" and lab.config_for("gpu")["amp"] == "fp16"
    assert lab.size_for(has_gpu=False) == "cpu" and lab.config_for("cpu") == {"steps": 20, "d_model": 32}


def test_a_cpu_lab_never_runs_a_gpu_size():
    assert manifest(device="cpu", configs={"cpu": {"steps": 5}}).size_for(has_gpu=True) == "cpu"


def test_configs_need_a_cpu_size_and_gpu_sizes_need_a_gpu_lab():
    with pytest.raises(ValidationError, match="'cpu' configuration is required"):
        manifest(device="gpu", configs={"gpu": {"steps": 1}})
    with pytest.raises(ValidationError, match="needs device: gpu"):
        manifest(device="cpu", configs=SIZES)


def test_the_sandbox_environment_carries_the_chosen_size(tmp_path):
    lab = Lab(tmp_path, manifest(device="gpu", configs=SIZES), "hash")
    cpu = lab_env(lab, [0], {"devices": []})
    gpu = lab_env(lab, [0], {"devices": ["/dev/nvidia0"]})
    assert (cpu["LABKIT_SIZE"], json.loads(cpu["LABKIT_CONFIG"])) == ("cpu", SIZES["cpu"])
    assert (gpu["LABKIT_SIZE"], json.loads(gpu["LABKIT_CONFIG"])) == ("gpu", SIZES["gpu"])
