"""Shared path-parameter types. Every integer id in a URL is bounded, so a hostile value (above 2^63, which
SQLite and PostgreSQL cannot bind) is refused before it reaches the database; an out-of-range id names no
row, so it is answered 404 (app/main.py), like any other id that does not exist."""
from __future__ import annotations

from typing import Annotated

from fastapi import Path

MAX_ROW_ID = 2**31 - 1  # the largest INTEGER primary key on every database the platform runs on

RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="A row id (1 to 2^31-1).")]
WeekNumber = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="A week number of the course.")]


def is_out_of_range_path_id(error: dict) -> bool:
    """True for a validation error of a bounded path id that is a well-formed integer out of range."""
    loc = error.get("loc") or ()
    return bool(loc) and loc[0] == "path" and error.get("type") in {"greater_than_equal", "less_than_equal"}


def parse_row_id(raw: object) -> int | None:
    """A row id typed into a form or query string; None when it cannot name a row (not ASCII digits, e.g.
    "²", which `str.isdigit` accepts and `int` refuses, or out of range, which the database cannot bind)."""
    text = str(raw).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ROW_ID)):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ROW_ID else None
