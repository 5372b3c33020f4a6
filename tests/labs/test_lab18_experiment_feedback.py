"""Lab 18's experiment check tells a student WHY training failed: it recomputes the student's network from
the `blocks` case, and when that network is the specified one it sends the student to the training loop.
This grades the lab's no_zero_grad mistake through the sandbox, like any submission, and reads the
feedback the student is shown on the visible experiment check."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from worker.grading import Lab, grade
from worker.labcheck import submission_code

pytestmark = pytest.mark.labs
LAB = Path(__file__).resolve().parents[2] / "labs" / "lab18-layer-normalization"


@pytest.fixture(scope="module")
def references_dir(tmp_path_factory) -> Path:
    shared = os.environ.get("LLMCOURSE_TEST_REFERENCES_DIR")
    return Path(shared) if shared else tmp_path_factory.mktemp("references")


def test_missing_zero_grad_is_named_in_the_experiment_feedback(references_dir):
    lab = Lab.load(LAB)
    result = grade(lab, submission_code(lab, LAB / "mistakes" / "no_zero_grad.py"), references_dir=references_dir,
                   hidden_seeds=lab.manifest.hidden_seeds()[:1])
    tests = {t["name"]: t for t in result["tests"]}
    assert tests["blocks_hidden"]["passed"], "the mistake's network is the specified one"
    experiment = tests["experiment_visible"]
    assert not experiment["passed"]
    feedback = experiment["feedback"]
    assert "the model is not learning" in feedback or "diverged" in feedback
    assert "forward pass matches the specified pre-norm network" in feedback
    assert "look at train_classifier: optimizer.zero_grad() before loss.backward() every step" in feedback
    assert "The model itself is not the specified one" not in feedback
