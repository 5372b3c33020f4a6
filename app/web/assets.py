"""Where the top-level templates/ and static/ folders are, in a checkout and in an installed wheel."""
from __future__ import annotations

from pathlib import Path

_APP_DIR = Path(__file__).resolve().parents[1]


def asset_dir(name: str) -> Path:
    # A wheel carries them inside the package (setup.py maps them to app/templates, app/static);
    # a checkout, editable install included, keeps them at the top of the repository.
    packaged = _APP_DIR / name
    return packaged if packaged.is_dir() else _APP_DIR.parent / name


TEMPLATES_DIR = asset_dir("templates")
STATIC_DIR = asset_dir("static")
