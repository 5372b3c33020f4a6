"""templates/ and static/ live at the top of the repository and still travel in a wheel."""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from app.web.assets import STATIC_DIR, TEMPLATES_DIR

ROOT = Path(__file__).resolve().parents[3]


def test_a_checkout_serves_the_top_level_folders():
    assert TEMPLATES_DIR == ROOT / "templates"
    assert STATIC_DIR == ROOT / "static"
    assert (TEMPLATES_DIR / "base.html").is_file()


def test_the_wheel_carries_templates_and_static_inside_the_package(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(tmp_path)], check=True, capture_output=True, cwd=tmp_path)
    wheel = next(tmp_path.glob("llmcourse-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "app/templates/base.html" in names
    assert "app/static/app.css" in names
    assert any(name.startswith("app/static/vendor/htmx-") for name in names)
