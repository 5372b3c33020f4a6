"""Imports go one way: worker -> app -> labkit (docs/architecture.md). The web process never imports torch,
numpy, transformers or worker code, so its image needs neither a GPU stack nor bubblewrap."""
from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def imported_packages(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def files_importing(package: str, forbidden: str) -> set[str]:
    return {str(path.relative_to(ROOT)) for path in (ROOT / package).rglob("*.py")
            if forbidden in imported_packages(path)}


def test_app_never_imports_worker():
    assert files_importing("app", "worker") == set()


def test_labkit_imports_neither_app_nor_worker():
    assert files_importing("labkit", "app") == set()
    assert files_importing("labkit", "worker") == set()


def test_the_web_app_loads_no_ml_library_and_no_worker_code():
    probe = ("import sys, json, app.main; app.main.create_app(); "
             "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    loaded = set(json.loads(done.stdout.strip().splitlines()[-1]))
    assert loaded.isdisjoint({"torch", "numpy", "transformers", "sklearn", "worker", "celery"})


# Routes that must be async: a server-sent events stream, and an API upload that reads its body before it
# hands the database work to the thread pool (app/labs/api.py).
ASYNC_ROUTES = {"submission_events", "create_submission"}


def test_routes_doing_database_work_are_plain_functions():
    """FastAPI runs `def` routes in its thread pool; an `async def` route doing synchronous database work
    would stall every other request while it waits (posted forms come as dependencies: app/core/forms.py)."""
    found = set()
    for path in (ROOT / "app").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.AsyncFunctionDef) and any(
                    isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and isinstance(d.func.value, ast.Name)
                    and d.func.value.id == "router" for d in node.decorator_list):
                found.add(node.name)
    assert found == ASYNC_ROUTES
