"""First start does not block grading: lab preparation runs in the background of the worker, at the lowest
priority, never in front of a student's job."""
from __future__ import annotations

import shutil
import time
from pathlib import Path

import httpx
import pytest

from tests.livestack import LiveStack

pytestmark = [pytest.mark.worker, pytest.mark.labs]
FIXTURE_LABS = Path(__file__).resolve().parents[1] / "fixtures" / "labs"
GOOD = "def answer(x):\n    return x * 2 + 1\n\ndef probe():\n    return 'ok'\n"
SLOW_BUILD = "import sys, time\nfrom pathlib import Path\ntime.sleep(40)\nPath(sys.argv[1], 'model.txt').write_text('ok')\n"


def test_a_students_job_is_not_queued_behind_lab_preparation(tmp_path):
    labs = tmp_path / "labs"
    shutil.copytree(FIXTURE_LABS / "lab02-word-stats", labs / "lab02-word-stats")
    shutil.copytree(FIXTURE_LABS / "lab03-probe", labs / "lab03-probe")
    (labs / "lab02-word-stats" / "build_artifacts.py").write_text(SLOW_BUILD)  # prepared first, slowly
    live = LiveStack(tmp_path / "data", labs_dir=labs, extra_env={"LLMCOURSE_PREPARE_LABS_ON_START": "true"})
    (tmp_path / "data").mkdir()
    live.prepare()
    live.cli("users", "create", "--email", "s@example.com", "--password", "password123", "--role", "admin")
    token = live.cli("users", "token", "--email", "s@example.com")
    live.start_web()
    live.start_worker()
    headers = {"Authorization": f"Bearer {token}"}
    try:
        started = time.monotonic()
        response = httpx.post(f"{live.base_url}/api/v1/labs/lab03/submissions", json={"code": GOOD}, headers=headers)
        assert response.status_code == 202, response.text
        url = f"{live.base_url}/api/v1/submissions/{response.json()['id']}"
        while (result := httpx.get(url, headers=headers).json())["status"] in ("queued", "running"):
            assert time.monotonic() - started < 30, live.logs()
            time.sleep(0.2)
        assert result["status"] == "graded" and result["score"] == 3.0
        assert not list((tmp_path / "data" / "artifacts").glob("lab02/*/model.txt"))  # still preparing lab02
    finally:
        live.stop()
