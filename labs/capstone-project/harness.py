"""Capstone smoke test (runs inside the sandbox, on the project unpacked from the student's zip): what the
project holds, its entry point `app.predict` on fixed and seeded inputs (called twice, to see that it is
deterministic), edge-case inputs, `app.evaluate()`, and the project's own tests (every `test_*` function of
`tests/test_*.py`, called without pytest). checks.py judges the outputs outside the sandbox; the score of
the capstone comes from a grader's rubric, not from these checks."""
from __future__ import annotations

import importlib.util
import math
import sys
import time
import traceback
from pathlib import Path

from labkit.harness import case

SECTIONS = ("problem", "baseline", "method", "evaluation", "deployment")
VISIBLE_TEXTS = ["refund for the last invoice", "the app crashes when I upload a file", "refund for the last invoice"]
WORDS = ("refund invoice payment password email account crash error upload sync export login team order price "
         "subscription update phone settings notification data report please urgent today again").split()
EDGE_TEXTS = ["", "   ", "Rückerstattung für die letzte Rechnung, bitte 🙏", "x" * 5000, "\n\t\n", "?!", "a " * 800]


def _error(exc: BaseException, root: Path) -> str:
    """The exception with the frames inside the student's project only (paths relative to the project)."""
    frames = []
    for frame in traceback.extract_tb(exc.__traceback__):
        path = Path(frame.filename)
        if root in path.parents:
            frames.append(f'  File "{path.relative_to(root)}", line {frame.lineno}, in {frame.name}\n'
                          f'    {(frame.line or "").strip()}')
    return "\n".join(frames[-6:] + [f"{type(exc).__name__}: {exc}"[:1000]])


def _plain(value) -> dict:
    """A returned value described for the checks: its type, and its items when it is a list or tuple."""
    if isinstance(value, (list, tuple)):
        items = [v if isinstance(v, str) else f"<{type(v).__name__}>" for v in value]
        return {"type": type(value).__name__, "items": [i[:200] for i in items]}
    return {"type": type(value).__name__, "items": None}


@case
def layout(project, ctx):
    readme = project.files.get("README.md", "")
    headings = [line.lstrip("#").strip().lower() for line in readme.splitlines() if line.startswith("#")]
    return {"files": sorted(project.files)[:200], "headings": headings,
            "readme_chars": len(readme), "model_card_chars": len(project.files.get("MODEL_CARD.md", "")),
            "todo_left": sum(text.count("TODO") for name, text in project.files.items() if name.endswith(".md"))}


def _call_predict(project, texts: list[str]) -> dict:
    try:
        app = project.import_module("app")
    except BaseException as exc:  # noqa: BLE001 - reported by the checks
        return {"error": "import app: " + _error(exc, project.root)}
    if not callable(getattr(app, "predict", None)):
        return {"error": "app.py has no function predict(texts)"}
    out = {"texts": [t[:60] for t in texts], "n": len(texts)}
    for key in ("first", "second"):
        started = time.perf_counter()
        try:
            out[key] = _plain(app.predict(list(texts)))
        except BaseException as exc:  # noqa: BLE001
            return {**out, "error": "predict: " + _error(exc, project.root)}
        out[f"{key}_seconds"] = round(time.perf_counter() - started, 4)
    return out


@case
def predictions(project, ctx):
    if ctx.visible:
        texts = list(VISIBLE_TEXTS)
    else:
        texts = [" ".join(ctx.rng.choice(WORDS) for _ in range(ctx.rng.randint(2, 12)))
                 for _ in range(ctx.rng.randint(6, 14))]
        texts.insert(ctx.rng.randrange(len(texts)), texts[ctx.rng.randrange(len(texts))])  # a repeated ticket
    ctx.show(texts=texts)
    return _call_predict(project, texts)


@case
def edge_cases(project, ctx):
    texts = [""] + ctx.rng.sample(EDGE_TEXTS[1:], 2)  # the empty text always, two more drawn per seed
    ctx.rng.shuffle(texts)
    return _call_predict(project, texts)


@case
def evaluation(project, ctx):
    try:
        app = project.import_module("app")
        if not callable(getattr(app, "evaluate", None)):
            return {"error": "app.py has no function evaluate()"}
        metrics = app.evaluate()
    except BaseException as exc:  # noqa: BLE001
        return {"error": "evaluate: " + _error(exc, project.root)}
    if not isinstance(metrics, dict):
        return {"type": type(metrics).__name__}
    return {"type": "dict", "metrics": {str(k)[:60]: (float(v) if isinstance(v, (int, float)) and not isinstance(v, bool)
                                                      and math.isfinite(float(v)) else f"<{type(v).__name__}>")
                                        for k, v in list(metrics.items())[:50]}}


@case
def own_tests(project, ctx):
    results = []
    for path in sorted((project.root / "tests").glob("test_*.py")) if (project.root / "tests").is_dir() else []:
        name = f"capstone_tests_{path.stem}"
        try:
            spec = importlib.util.spec_from_file_location(name, path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            spec.loader.exec_module(module)
        except BaseException as exc:  # noqa: BLE001
            results.append({"test": f"tests/{path.name}", "passed": False, "error": _error(exc, project.root)})
            continue
        for attr in sorted(dir(module)):
            fn = getattr(module, attr)
            if attr.startswith("test_") and callable(fn):
                try:
                    fn()
                    results.append({"test": f"tests/{path.name}::{attr}", "passed": True})
                except BaseException as exc:  # noqa: BLE001
                    results.append({"test": f"tests/{path.name}::{attr}", "passed": False,
                                    "error": _error(exc, project.root)})
    return {"results": results[:100]}
