"""The `llmcourse` command: the app's commands (app/cli.py) plus the ones that run student code through the
sandbox (`labs grade`, `content check`), which belong to the worker side (imports go worker -> app)."""
from __future__ import annotations

import json
from pathlib import Path

import typer

from app.cli import cli, content_cli, fail, labs_cli
from app.config import get_settings
from app.labs.catalog import find_lab_folder
from app.labs.validation import validate_code
from worker.content_check import check_content
from worker.jobs import grade_code, platform_error, stored_result


@labs_cli.command("grade")
def labs_grade(lab_id: str, file: Path, as_json: bool = typer.Option(False, "--json")) -> None:
    """Grade FILE for LAB_ID through the same sandbox and checks as the worker."""

    settings = get_settings()
    folder = find_lab_folder(settings.labs_dir, lab_id)
    if folder is None:
        result = rejected(lab_id, f"Unknown lab {lab_id!r}.")
    elif not file.is_file() and not file.is_dir():
        result = rejected(lab_id, f"No such file: {file}")
    else:
        try:
            code = submission_text(folder, file, settings.max_upload_bytes)
            result = grade_code(folder.name, code, None) or platform_error(
                None, folder.name, "the sandbox was killed from outside; try again")
        except ValueError as exc:
            result = rejected(lab_id, str(exc))
    result = stored_result(result)  # the same typed result the API serves (GradeResult)
    result.pop("platform_error", None) if not as_json else None
    if as_json:
        typer.echo(json.dumps(result, indent=2))
    else:
        typer.echo(f"{result['lab_id']}: {result['status']} {result['score']}/{result['max_score']}")
        for test in result["tests"]:
            mark = "PASS" if test["passed"] else "FAIL"
            typer.echo(f"  {mark} {test['name']} {test['points']}/{test['max_points']}")
            if not test["passed"]:
                typer.echo("       " + test["feedback"].replace("\n", "\n       "))
        if result.get("feedback"):
            typer.echo(result["feedback"])
    raise typer.Exit(0 if result["status"] in ("graded",) else 2)


def submission_text(folder: Path, file: Path, max_bytes: int) -> str:
    """What is graded: a .py file's text, or for a lab that takes a project (the capstone) a .zip or a
    project folder, validated like an upload (ValueError with the reason) and stored as base64."""
    from labkit import bundle
    from labkit.manifest import load_manifest

    manifest = load_manifest(folder)
    if not manifest.is_bundle:
        if file.is_dir():
            raise ValueError(f"{file} is a folder; {manifest.id} takes one file, {manifest.submit_file}.")
        return validate_code(file.read_bytes(), max_bytes)
    raw = bundle.zip_folder(file) if file.is_dir() else file.read_bytes()
    bundle.read_bundle(raw, bundle.BundleLimits.from_kb(manifest.bundle.model_dump()))  # BundleError is a ValueError
    return bundle.encode(raw)


def rejected(lab_id: str, message: str) -> dict:
    return {"submission_id": None, "lab_id": lab_id, "status": "rejected", "score": 0.0, "max_score": 0.0,
            "tests": [], "feedback": message, "stdout_tail": "", "stderr_tail": "",
            "timings": {"queued_s": 0.0, "sandbox_s": 0.0, "grade_s": 0.0}}


@content_cli.command("check")
def content_check(grade: bool = typer.Option(True, help="Grade every lab's solution, starter and mistakes."),
                  lab: list[str] = typer.Option(None, "--lab", help="Only these labs (repeatable)."),
                  report: Path = typer.Option(None, help="Write each lab's proof (problems, seconds) as JSON here; "
                                                         "the test suite reuses it instead of grading again.")) -> None:
    """Validate all content; errors print as file:line: message and exit 1."""
    import json
    import statistics

    proofs: dict[str, dict] = {}

    def show(lab_report) -> None:
        proofs[lab_report.lab_id] = lab_report.as_dict()
        state = "OK" if not lab_report.problems else "PROBLEMS"
        typer.echo(f"{lab_report.lab_id}: {state} proof {lab_report.proof_seconds:.1f} s "
                   f"({lab_report.proof_cpu_seconds:.1f} s CPU; reference run {lab_report.seconds.get('solution', '?')} s)")

    errors = check_content(get_settings(), grade_labs=grade, lab_ids=lab or None, on_lab=show)
    if proofs:
        times = [p["proof_seconds"] for p in proofs.values()]
        cpu = [p["proof_cpu_seconds"] for p in proofs.values()]
        typer.echo(f"{len(times)} labs proved: median {statistics.median(times):.1f} s, max {max(times):.1f} s, "
                   f"sum {sum(times):.0f} s wall; median {statistics.median(cpu):.1f} s, max {max(cpu):.1f} s CPU")
    if report is not None:
        report.write_text(json.dumps(proofs, indent=1))
    for message in errors.messages:
        typer.echo(message)
    if errors:
        fail(f"{len(errors.messages)} error(s)")
    typer.echo("content OK")


def main() -> None:
    from app.events import install_session_events

    install_session_events()
    cli()


if __name__ == "__main__":
    main()
