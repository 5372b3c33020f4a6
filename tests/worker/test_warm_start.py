"""Warm start: an idle sandbox with libraries imported serves exactly one submission, with the same
isolation, limits and result as the cold path."""
from __future__ import annotations

from pathlib import Path

import pytest

from worker import warm
from worker.grading import Lab, grade
from worker.warm import POOL

pytestmark = pytest.mark.labs
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "labs"
GOOD = "def answer(x):\n    return x * 2 + 1\n\ndef probe():\n    return 'ok'\n"


@pytest.fixture
def lab():
    POOL.clear()
    yield Lab.load(FIXTURES / "lab03-probe")
    POOL.clear()


def idle_sandbox(lab):
    [idle] = [item for key, item in POOL.idle.items() if key[0] == lab.manifest.id]
    return idle.sandbox


def test_warm_result_equals_cold_and_each_sandbox_serves_once(lab, tmp_path):
    cold = grade(lab, GOOD, references_dir=tmp_path, hidden_seeds=[lab.manifest.hidden_seeds()[0]])
    first = grade(lab, GOOD, references_dir=tmp_path, hidden_seeds=[lab.manifest.hidden_seeds()[0]], warm=True)
    waiting = idle_sandbox(lab)
    assert waiting.alive()
    second = grade(lab, GOOD, references_dir=tmp_path, hidden_seeds=[lab.manifest.hidden_seeds()[0]], warm=True)
    assert not waiting.alive()  # used once, then gone
    assert idle_sandbox(lab) is not waiting and idle_sandbox(lab).alive()
    for result in (first, second):
        assert result["tests"] == cold["tests"] and result["score"] == 3.0


def test_limits_still_apply_in_a_warm_sandbox(lab, tmp_path):
    grade(lab, GOOD, references_dir=tmp_path, warm=True)  # leaves an idle sandbox
    result = grade(lab, "while True:\n    pass\n", references_dir=tmp_path, warm=True)
    assert result["status"] == "timeout"
    code = "blocks = []\nwhile True:\n    blocks.append(bytearray(50 * 1024 * 1024))\n"
    result = grade(lab, code, references_dir=tmp_path, warm=True)
    assert result["status"] == "error" and "memory" in result["tests"][0]["feedback"].lower()


def test_a_warm_sandbox_cannot_see_the_previous_submission(lab, tmp_path):
    grade(lab, "open('note.txt', 'w').write('secret')\n" + GOOD, references_dir=tmp_path, warm=True)
    probe = ("import os\ndef answer(x):\n    return 2 * x + 1\n"
             "def probe():\n    return 'leak' if os.path.exists('note.txt') else 'clean'\n")
    from worker.grading import run_harness

    run, payload = run_harness(lab, probe, [0], warm=True)
    assert payload["runs"]["0"]["probe"]["value"] == "clean"


def test_dead_idle_sandbox_falls_back_to_cold(lab, tmp_path):
    grade(lab, GOOD, references_dir=tmp_path, warm=True)
    idle_sandbox(lab).discard()
    result = grade(lab, GOOD, references_dir=tmp_path, warm=True)
    assert result["status"] == "graded" and result["score"] == 3.0


def test_preimports_follow_the_labs_imports():
    lab15 = Path(__file__).resolve().parents[2] / "labs" / "lab15-self-attention"
    assert "torch" in warm.preimports(Lab.load(lab15))
    assert warm.preimports(Lab.load(FIXTURES / "lab03-probe")) == []
