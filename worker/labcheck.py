"""Validates one lab end to end: the reference scores full marks, the starter does not, and every
common-mistake variant fails the checks it names. Used by `llmcourse content check`."""
from __future__ import annotations

import os
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from labkit.manifest import lab_files, submission_source
from worker.grading import Lab, LabBroken, draw_hidden_seeds, grade


# Reference + starter + mistakes of one lab, in CPU seconds (the grader's own and its sandboxes'): a
# budget that holds whatever else the machine is doing, unlike wall time.
PROOF_BUDGET_SECONDS = 120


@dataclass
class LabReport:
    lab_id: str
    problems: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    proof_seconds: float = 0.0  # wall clock
    proof_cpu_seconds: float = 0.0

    def as_dict(self) -> dict:
        return {"lab_id": self.lab_id, "problems": self.problems, "seconds": self.seconds,
                "proof_seconds": self.proof_seconds, "proof_cpu_seconds": self.proof_cpu_seconds}


def _cpu_seconds() -> float:
    """This process's CPU (checks, artifact builds it waited for) plus its sandboxes' (their cgroups')."""
    import resource

    from worker.sandbox import sandbox_cpu_seconds

    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime + sandbox_cpu_seconds()


def check_lab(lab_dir: Path, references_dir: Path, runs: int = 1, **run_options) -> LabReport:
    """Prove one lab; the whole proof must fit PROOF_BUDGET_SECONDS of CPU."""
    import time

    _build_artifacts_first(lab_dir, references_dir, run_options.get("models_dir"))
    started, cpu_before = time.monotonic(), _cpu_seconds()
    report = _check_lab(lab_dir, references_dir, runs, **run_options)
    report.proof_seconds = round(time.monotonic() - started, 1)
    report.proof_cpu_seconds = round(_cpu_seconds() - cpu_before, 1)
    if runs == 1 and report.proof_cpu_seconds > PROOF_BUDGET_SECONDS:
        report.problems.append(f"{lab_dir / 'lab.yaml'}:1: the lab's proof took {report.proof_cpu_seconds} s of CPU "
                               f"(budget {PROOF_BUDGET_SECONDS} s): use a CI-sized configuration")
    return report


def _build_artifacts_first(lab_dir: Path, references_dir: Path, models_dir) -> None:
    """A lab's built artifacts (e.g. a tiny pre-trained model) are made once and cached, not per proof: they
    are built before the proof's clock starts. A failure shows up in the proof itself."""
    from worker.grading import lab_artifacts

    try:
        lab_artifacts(Lab.load(lab_dir), references_dir.parent / "artifacts", models_dir)
    except Exception:  # noqa: BLE001 - reported by the proof, with the lab's file and line
        pass


def _check_lab(lab_dir: Path, references_dir: Path, runs: int = 1, **run_options) -> LabReport:
    report = LabReport(lab_dir.name.split("-")[0])
    missing = [name for name in lab_files(lab_dir) if not (lab_dir / name).exists()]
    if missing:
        report.problems.append(f"{lab_dir / missing[0]}:1: missing lab file")
        return report
    try:
        lab = Lab.load(lab_dir)
    except Exception as exc:  # noqa: BLE001 - reported as a content error
        report.problems.append(f"{lab_dir / 'lab.yaml'}:1: {exc}")
        return report
    report.lab_id = lab.manifest.id
    manifest_path = lab_dir / "lab.yaml"
    if len([c for c in lab.manifest.checks if not c.visible]) < 2:
        report.problems.append(f"{manifest_path}:1: a lab needs at least two hidden checks")
    if not lab.manifest.mistakes:
        report.problems.append(f"{manifest_path}:1: a lab needs at least one common-mistake variant")
    if len((lab_dir / "README.md").read_text(encoding="utf-8")) < 1500:
        report.problems.append(f"{lab_dir / 'README.md'}:1: the instructions are too short to teach the lab")
    rng = random.Random(1234)
    # One draw for the starter and the mistakes: their references are built once, in one sandbox run.
    shared_seeds = draw_hidden_seeds(lab.manifest, rng)
    try:
        for attempt in range(runs):
            seeds = shared_seeds if attempt == 0 else draw_hidden_seeds(lab.manifest, rng)
            result = _grade_file(lab, _solution_path(lab), references_dir, seeds, **run_options)
            report.seconds.setdefault("solution", result["timings"]["sandbox_s"])
            if not _full_marks(lab, result):
                failing = [f"{t['name']}: {t['feedback'][:300]}" for t in result["tests"] if not t["passed"]]
                report.problems.append(f"{lab_dir / 'solution.py'}:1: reference scores {result['score']}/"
                                       f"{result['max_score']} (run {attempt + 1}, status {result['status']}): "
                                       + "; ".join(failing))
                break
        starter_path = lab_dir / ("starter" if lab.manifest.is_bundle else "starter.py")
        starter = _grade_file(lab, starter_path, references_dir, shared_seeds, **run_options)
        if _full_marks(lab, starter):
            report.problems.append(f"{starter_path}:1: the starter scores full marks")
        for mistake in lab.manifest.mistakes:
            result = _grade_file(lab, lab_dir / mistake.file, references_dir, shared_seeds,
                                 cases=mistake_cases(lab, mistake.fails), **run_options)
            by_name = {t["name"]: t for t in result["tests"]}
            still_passing = [name for name in mistake.fails if by_name[name]["passed"]]
            if still_passing:
                report.problems.append(f"{lab_dir / mistake.file}:1: expected to fail {still_passing}")
    except LabBroken as exc:
        report.problems.append(f"{lab_dir / 'solution.py'}:1: {exc}")
    except FileNotFoundError as exc:
        report.problems.append(f"{lab_dir / 'lab.yaml'}:1: {exc}")
    return report


# A check that reads other cases' outputs (CheckContext.outputs) needs every case run beside its own.
READS_OTHER_CASES = re.compile(r"\.outputs\b")


def mistake_cases(lab: Lab, fails: list[str]) -> tuple[str, ...] | None:
    """The cases a mistake is run on: those of the checks it must fail (cases are independent, so the others
    could only cost time); None (every case) where the lab's checks read other cases' outputs."""
    checks_py = lab.dir / "checks.py"
    if checks_py.exists() and READS_OTHER_CASES.search(checks_py.read_text(encoding="utf-8")):
        return None
    wanted = set(fails)
    return tuple(dict.fromkeys(c.case_name for c in lab.manifest.checks if c.name in wanted)) or None


def _solution_path(lab: Lab) -> Path:
    return lab.dir / ("solution" if lab.manifest.is_bundle else "solution.py")


def _full_marks(lab: Lab, result: dict) -> bool:
    """Every check passed. In a lab graded by its rubric the checks are a 0-point smoke test: passing all
    of them is its "full marks" (the score itself comes from a grader)."""
    if lab.manifest.rubric:
        return result["status"] == "graded" and all(t["passed"] for t in result["tests"])
    return result["score"] == result["max_score"]


OVERRIDES_MARKER = re.compile(r"^# overrides solution\.py\b", re.MULTILINE)


def submission_code(lab: Lab, path: Path) -> str:
    """The code graded for `path`. A mistake that starts with `# overrides solution.py` holds only what
    differs from the reference: it is appended to solution.py, so its definitions replace the reference's
    and the mistake reads as the one thing a student got wrong."""
    if path.is_dir():
        return submission_source(lab.dir, path)
    code = path.read_text(encoding="utf-8")
    head = "\n".join(code.splitlines()[:10])
    if path.parent.name == "mistakes" and OVERRIDES_MARKER.search(head):
        solution = (lab.dir / "solution.py").read_text(encoding="utf-8")
        return f"{solution.rstrip()}\n\n\n# ---- {path.name}: the mistake ----\n{code}"
    return code


def _grade_file(lab: Lab, path: Path, references_dir: Path, seeds: list[int], **run_options) -> dict:
    return grade(lab, submission_code(lab, path), references_dir=references_dir, hidden_seeds=seeds, **run_options)


def main(argv: list[str] | None = None) -> int:
    """`python -m worker.labcheck LAB_DIR [--runs N]`: a lab author's quick check."""
    import argparse
    import tempfile
    import time

    parser = argparse.ArgumentParser()
    parser.add_argument("lab_dirs", nargs="+", type=Path)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--models-dir", type=Path, default=os.environ.get("LLMCOURSE_MODELS_DIR") or None,
                        help="real models to use where a lab's manifest allows (default: LLMCOURSE_MODELS_DIR)")
    args = parser.parse_args(argv)
    failed = 0
    with tempfile.TemporaryDirectory() as scratch:
        refs = Path(scratch) / "references"  # artifacts land beside it, inside the scratch dir
        for lab_dir in args.lab_dirs:
            started = time.monotonic()
            report = check_lab(lab_dir, refs, runs=args.runs, models_dir=args.models_dir)
            print(f"{report.lab_id}: {'OK' if not report.problems else 'PROBLEMS'} "
                  f"(solution sandbox run {report.seconds.get('solution', '?')} s, "
                  f"check took {time.monotonic() - started:.1f} s, {report.proof_cpu_seconds} s CPU)")
            for problem in report.problems:
                print("  " + problem)
            failed += bool(report.problems)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
