"""An operator's real model directory (LLMCOURSE_MODELS_DIR) replaces a lab's tiny stand-in model: the
student's code and the reference both see it, references are cached per model, and a lab without the
real model (or a directory without it) keeps the stand-in."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from labkit.manifest import LabManifest
from worker.grading import Lab, grade, lab_artifacts

pytestmark = pytest.mark.labs
LAB_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "model_labs" / "lab04-model-slot"
SOLUTION = (LAB_DIR / "solution.py").read_text()
# Right only for the stand-in: passes only while the references come from the stand-in too.
HARD_CODED = "def describe(path):\n    return {'model_type': 'tiny', 'hidden_size': 8, " \
             "'files': ['config.json', 'stand-in-only.txt']}\n"


@pytest.fixture
def lab() -> Lab:
    return Lab.load(LAB_DIR)


@pytest.fixture
def models_dir(tmp_path) -> Path:
    real = tmp_path / "models" / "real-model"
    real.mkdir(parents=True)
    (real / "config.json").write_text(json.dumps({"model_type": "bert", "hidden_size": 768}))
    (real / "model.safetensors").write_bytes(b"\0" * 64)
    return tmp_path / "models"


def described(result: dict) -> str:
    """What the student's code saw (the fixture's solution prints it)."""
    assert result["status"] == "graded" and result["score"] == result["max_score"] == 2.0, result
    return result["stdout_tail"]


def test_without_a_models_dir_the_stand_in_is_used(lab, tmp_path):
    refs = tmp_path / "references"
    assert "model: tiny 8" in described(grade(lab, SOLUTION, references_dir=refs))
    assert grade(lab, HARD_CODED, references_dir=refs)["score"] == 2.0


def test_the_operators_real_model_replaces_the_stand_in(lab, tmp_path, models_dir):
    refs = tmp_path / "references"
    got = described(grade(lab, SOLUTION, references_dir=refs, models_dir=models_dir))
    assert "model: bert 768" in got
    assert "stand-in-only.txt" not in got, "the stand-in's files must not show through the real model"
    # The reference was computed with the real model and cached apart from the stand-in's.
    assert grade(lab, HARD_CODED, references_dir=refs, models_dir=models_dir)["score"] == 0
    stand_in = grade(lab, SOLUTION, references_dir=refs)
    assert "model: tiny 8" in described(stand_in)
    assert len(reference_versions(refs / "lab04")) == 2  # one per model: stand-in and real


def test_a_models_dir_without_the_named_model_keeps_the_stand_in(lab, tmp_path):
    empty = tmp_path / "models"
    (empty / "real-model").mkdir(parents=True)  # no config.json: not a model
    result = grade(lab, SOLUTION, references_dir=tmp_path / "references", models_dir=empty)
    assert "model: tiny 8" in described(result)


def test_a_changed_real_model_gets_new_references(lab, tmp_path, models_dir):
    root = tmp_path / "artifacts"
    before = lab_artifacts(lab, root, models_dir).fingerprint
    (models_dir / "real-model" / "config.json").write_text(json.dumps({"model_type": "bert", "hidden_size": 1024}))
    after = lab_artifacts(lab, root, models_dir).fingerprint
    assert before and after and before != after
    assert lab_artifacts(lab, root, None).fingerprint == ""
    refs = tmp_path / "references"
    assert "model: bert 1024" in described(grade(lab, SOLUTION, references_dir=refs, models_dir=models_dir))
    assert {path.name.split("-")[-1] for path in reference_versions(refs / "lab04")} == {after}


def test_insecure_mode_also_replaces_the_stand_in(lab, tmp_path, models_dir):
    result = grade(lab, SOLUTION, references_dir=tmp_path / "references", models_dir=models_dir, insecure=True)
    got = described(result)
    assert "model: bert 768" in got and "stand-in-only.txt" not in got


@pytest.mark.parametrize("slot", ["../escape", "/abs", "a/../b", "bad name"])
def test_manifest_rejects_model_paths_outside_the_artifacts(slot):
    data = {"id": "lab04", "week": 2, "title": "x" * 5, "submit_file": "m.py", "models": {slot: "bert"},
            "checks": [{"name": "a", "visible": True, "points": 1}, {"name": "b", "points": 1}]}
    with pytest.raises(ValidationError, match="relative folder path"):
        LabManifest.model_validate(data)


def reference_versions(folder):
    """The lab's cached reference versions (one folder each, holding one file per seed)."""
    return [path for path in folder.iterdir() if path.is_dir() and list(path.glob("*.json"))]
