"""Lab 3 custom checks (run OUTSIDE the sandbox). Cleaning bugs are often invisible characters, so the
messages show the first differing line with ascii() escapes (\\u200b, \\xa0, \\r...)."""
from __future__ import annotations

from labkit.checks import Verdict, describe
from labkit.compare import first_line_difference, short


def _show(line, limit=110):
    return short(line, limit)


def _first_line_difference(want: str, have: str) -> str | None:
    return first_line_difference(have, want)


def check_text(got, expected, ctx):
    """A string, or a list of strings (several inputs), compared exactly, explained line by line."""
    wants = expected if isinstance(expected, list) else [expected]
    haves = got if isinstance(got, list) else [got]
    if len(haves) != len(wants):
        return Verdict(False, f"expected {len(wants)} result(s), got {len(haves)}", describe(expected), describe(got))
    for index, (want, have) in enumerate(zip(wants, haves)):
        problem = _first_line_difference(want, have)
        if problem:
            label = f"input {index + 1}: " if len(wants) > 1 else ""
            return Verdict(False, label + problem, describe(want), describe(have))
    return Verdict(True)


def check_corpus(got, expected, ctx):
    if len(got) != len(expected):
        more = [d for d in got if d not in expected]
        hint = (f"; an extra document starts with {_show(more[0][:80])}" if more else "")
        return Verdict(False, f"expected {len(expected)} documents after cleaning, filtering and de-duplication, "
                              f"got {len(got)}{hint}", describe(expected), describe(got))
    for index, (want, have) in enumerate(zip(expected, got)):
        problem = _first_line_difference(want, have)
        if problem:
            return Verdict(False, f"document {index + 1}: {problem}", describe(want), describe(have))
    return Verdict(True)
