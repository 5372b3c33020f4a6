"""The images install the package from a wheel: it must carry the templates and static files (setup.py maps
the top-level folders to app/templates and app/static) and nothing the images add as data."""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_wheel_carries_templates_and_static_files_and_no_content_or_tests(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "--wheel-dir",
                    str(tmp_path), str(ROOT)], check=True, capture_output=True, timeout=300)
    (wheel,) = tmp_path.glob("llmcourse-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"app/templates/base.html", "app/static/app.css", "app/main.py", "worker/selfcheck.py",
            "labkit/harness.py"} <= names
    templates = {p.relative_to(ROOT / "templates").as_posix() for p in (ROOT / "templates").rglob("*.html")}
    assert {f"app/templates/{t}" for t in templates} <= names
    assert not {n for n in names if n.split("/")[0] in ("tests", "labs", "course", "migrations", "deploy")}
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "llmcourse = worker.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
