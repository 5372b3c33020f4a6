"""Without bubblewrap the worker refuses to run student code, unless the insecure development setting is on."""
from __future__ import annotations

from pathlib import Path

import pytest

from worker import jobs
from worker import sandbox
from worker.grading import Lab, grade

pytestmark = pytest.mark.labs
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "labs"
GOOD = "def answer(x):\n    return x * 2 + 1\n\ndef probe():\n    return 'ok'\n"


def test_missing_bubblewrap_is_refused_with_a_clear_message(monkeypatch, tmp_path):
    monkeypatch.setattr(sandbox, "bubblewrap_path", lambda: None)
    with pytest.raises(sandbox.SandboxUnavailable, match="bubblewrap"):
        grade(Lab.load(FIXTURES / "lab03-probe"), GOOD, references_dir=tmp_path)


def test_worker_turns_a_missing_sandbox_into_a_platform_error(monkeypatch):
    monkeypatch.setattr(sandbox, "bubblewrap_path", lambda: None)
    settings = jobs.get_settings()
    monkeypatch.setattr(settings, "labs_dir", FIXTURES)
    monkeypatch.setattr(settings, "insecure_sandbox", False)
    result = jobs.grade_code("lab03-probe", GOOD, 5)
    assert result["status"] == "error" and "bubblewrap" in result["platform_error"]
    assert "flagged for staff" in result["feedback"]


def test_insecure_mode_runs_without_bubblewrap(monkeypatch, tmp_path):
    monkeypatch.setattr(sandbox, "bubblewrap_path", lambda: None)
    result = grade(Lab.load(FIXTURES / "lab03-probe"), GOOD, references_dir=tmp_path, insecure=True)
    assert result["status"] == "graded" and result["score"] == 3.0


def test_insecure_mode_shows_a_banner(client, factory, monkeypatch):
    from app.config import get_settings
    from tests.conftest import login

    monkeypatch.setattr(get_settings(), "insecure_sandbox", True)
    login(client, factory.user().email)
    assert "Insecure development mode" in client.get("/").text
