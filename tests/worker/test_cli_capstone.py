"""`llmcourse labs grade capstone PROJECT` grades a project folder or .zip through the sandbox, validated like
an upload; a bad zip is rejected with its reason."""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from typer.testing import CliRunner

from worker.cli import cli

CAPSTONE = Path(__file__).resolve().parents[2] / "labs" / "capstone-project"


def grade(*args: str) -> tuple[int, dict]:
    outcome = CliRunner().invoke(cli, ["labs", "grade", *args, "--json"])
    return outcome.exit_code, json.loads(outcome.stdout)


def test_a_project_folder_and_its_zip_are_smoke_tested(tmp_path):
    code, result = grade("capstone", str(CAPSTONE / "solution"))
    assert code == 0 and result["status"] == "graded" and all(t["passed"] for t in result["tests"])
    from labkit.bundle import zip_folder

    archive = tmp_path / "project.zip"
    archive.write_bytes(zip_folder(CAPSTONE / "starter"))
    code, result = grade("capstone", str(archive))
    assert code == 0 and result["status"] == "graded" and not all(t["passed"] for t in result["tests"])


def test_a_zip_that_breaks_the_rules_is_rejected_with_its_reason(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../evil.py", "x = 1\n")
    bad = tmp_path / "bad.zip"
    bad.write_bytes(buffer.getvalue())
    code, result = grade("capstone", str(bad))
    assert code == 2 and result["status"] == "rejected" and "'..'" in result["feedback"]
    code, result = grade("lab02", str(CAPSTONE / "solution"))
    assert code == 2 and "is a folder" in result["feedback"]


def test_a_stored_capstone_that_is_not_a_zip_grades_as_an_error_not_a_crash():
    from worker.jobs import grade_code

    result = grade_code("capstone-project", "# demo submission 1\n", None)
    assert result["status"] == "error" and "platform_error" not in result
    assert all("not a readable .zip" in t["feedback"] for t in result["tests"])
