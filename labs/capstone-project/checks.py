"""Capstone smoke checks (outside the sandbox). They tell the student, before a grader reads the project,
whether it is complete and runs: they are worth 0 points; the score comes from the rubric in lab.yaml."""
from __future__ import annotations

from labkit.checks import Verdict

RAISED = "<raised an exception>"  # worker.grading.RAISED
SECTIONS = ("problem", "baseline", "method", "evaluation", "deployment")
MIN_README, MIN_MODEL_CARD = 800, 200


def check_structure(got, expected, ctx) -> Verdict:
    problems = []
    if "README.md" not in got["files"]:
        problems.append("README.md is missing at the top of the project")
    else:
        missing = [s for s in SECTIONS if not any(s in h for h in got["headings"])]
        if missing:
            problems.append("README.md has no section for: " + ", ".join(missing)
                            + " (a heading such as '## Evaluation' for each)")
        if got["readme_chars"] < MIN_README:
            problems.append(f"README.md has {got['readme_chars']} characters; explain the project in at least "
                            f"{MIN_README}")
    if "MODEL_CARD.md" not in got["files"]:
        problems.append("MODEL_CARD.md is missing (intended use, data, evaluation, limitations)")
    elif got["model_card_chars"] < MIN_MODEL_CARD:
        problems.append(f"MODEL_CARD.md has only {got['model_card_chars']} characters")
    if "app.py" not in got["files"]:
        problems.append("app.py (with predict and evaluate) is missing at the top of the project")
    if got["todo_left"]:
        problems.append(f"the Markdown files still hold {got['todo_left']} TODO placeholder(s)")
    if problems:
        return Verdict(False, "; ".join(problems) + f".\nFiles in your zip: {', '.join(got['files'][:30])}",
                       expected="README.md (5 sections), MODEL_CARD.md, app.py", got=", ".join(got["files"][:30]))
    return Verdict(True)


def _well_formed(got) -> Verdict:
    if got.get("error"):  # "raised" lets the hidden checks show the error's last line (never expected values)
        return Verdict(False, got["error"], got=RAISED)
    n = got["n"]
    for key in ("first", "second"):
        value = got[key]
        if value["items"] is None:
            return Verdict(False, f"predict returned a {value['type']}; return a list with one string per "
                                  f"input text ({n} here).", expected=f"list of {n} str", got=value["type"])
        if len(value["items"]) != n:
            return Verdict(False, f"predict returned {len(value['items'])} answers for {n} texts; return exactly "
                                  "one per text, in order, repeated texts included.",
                           expected=f"{n} answers", got=f"{len(value['items'])} answers")
        odd = [item for item in value["items"] if item.startswith("<") and item.endswith(">")]
        if odd:
            return Verdict(False, f"predict returned {odd[0]} items; every answer must be a string.")
    if got["first"]["items"] != got["second"]["items"]:
        return Verdict(False, "predict gave different answers for the same texts on a second call; make it "
                              "deterministic (greedy decoding, fixed seeds, no state changed by a call).")
    return Verdict(True)


def check_predict(got, expected, ctx) -> Verdict:
    return _well_formed(got)


def check_edge_cases(got, expected, ctx) -> Verdict:
    verdict = _well_formed(got)
    if not verdict.passed:
        verdict.feedback = "On edge-case inputs (empty, whitespace only, very long, non-ASCII): " + verdict.feedback
    return verdict


def check_evaluation(got, expected, ctx) -> Verdict:
    if got.get("error"):
        return Verdict(False, got["error"])
    if got.get("type") != "dict":
        return Verdict(False, f"evaluate() returned a {got.get('type')}; return a dict of metric name -> number.")
    metrics = got["metrics"]
    if not metrics:
        return Verdict(False, "evaluate() returned no metrics; report at least your model's and your baseline's.")
    bad = [k for k, v in metrics.items() if not isinstance(v, float)]
    if bad:
        return Verdict(False, f"metric {bad[0]!r} is not a finite number.")
    if not any("baseline" in k.lower() for k in metrics):
        return Verdict(False, "evaluate() reports no baseline metric; add e.g. 'baseline_accuracy' so the "
                              "model can be compared with it.", got=", ".join(metrics))
    return Verdict(True)


def check_own_tests(got, expected, ctx) -> Verdict:
    results = got["results"]
    if not results:
        return Verdict(False, "No tests found: add tests/test_*.py with test_* functions (run without pytest "
                              "fixtures, called with no arguments).")
    failed = [r for r in results if not r["passed"]]
    if failed:
        first = failed[0]
        return Verdict(False, f"{len(failed)} of {len(results)} of your own tests failed; first: {first['test']}\n"
                              f"{first.get('error', '')}")
    return Verdict(True)
