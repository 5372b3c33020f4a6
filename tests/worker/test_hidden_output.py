"""What student code prints while hidden cases run never reaches the student (it could carry hidden
inputs out); what it prints on the visible case does. Metric lines keep flowing for the live chart."""
from __future__ import annotations

from pathlib import Path

import pytest

from worker.grading import Lab, grade

pytestmark = pytest.mark.labs
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "labs"
LEAKY = """
from labkit.metrics import log_metrics

def answer(x):
    print(f"INPUT-{x}")
    log_metrics(x, loss=1.0)
    return x * 2 + 1

def probe():
    return 'ok'
"""


def test_prints_during_hidden_cases_are_not_shown_but_visible_ones_are(tmp_path):
    lab = Lab.load(FIXTURES / "lab03-probe")
    hidden = lab.manifest.hidden_seeds()[0]
    result = grade(lab, LEAKY, references_dir=tmp_path, hidden_seeds=[hidden])
    assert result["score"] == result["max_score"]
    visible_input = next(t for t in result["tests"] if t["name"] == "answer_visible")
    printed = [line for line in result["stdout_tail"].splitlines() if line.startswith("INPUT-")]
    assert len(printed) == 1, result["stdout_tail"]  # the visible case's print only
    metrics = [line for line in result["stdout_tail"].splitlines() if line.startswith("@metric")]
    assert len(metrics) == 2 and '"series": "hidden"' in metrics[1]
    assert visible_input["passed"]
