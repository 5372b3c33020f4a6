"""Lab 3 custom checks (run OUTSIDE the sandbox). Cleaning bugs are often invisible characters, so the
messages show the first differing line with ascii() escapes (\\u200b, \\xa0, \\r...)."""
from __future__ import annotations

from labkit.checks import Verdict, describe


def _show(line, limit=110):
    text = ascii(line)
    return text if len(text) <= limit else text[: limit - 4] + "...'"


def _first_line_difference(want: str, have: str) -> str | None:
    if want == have:
        return None
    w, h = want.split("\n"), have.split("\n")
    for i, (a, b) in enumerate(zip(w, h)):
        if a != b:
            col = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
            return (f"line {i + 1} differs at character {col + 1}: expected {_show(a)}, got {_show(b)}")
    if len(h) > len(w):
        return f"{len(h) - len(w)} extra line(s) at the end, starting with {_show(h[len(w)])}"
    return f"{len(w) - len(h)} line(s) missing at the end, starting with {_show(w[len(h)])}"


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
