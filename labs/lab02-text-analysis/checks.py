"""Lab 2 custom checks (run OUTSIDE the sandbox on decoded outputs)."""
from __future__ import annotations

import math

from labkit.checks import Verdict, describe

RTOL = 1e-9
ATOL = 1e-12


def _mismatch(got, expected, path):
    """The first difference between two JSON-like values, as a sentence, or None.
    Ints must match exactly; floats are compared with a tight tolerance (summation order is harmless)."""
    where = path or "the result"
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return f"{where}: expected a dict, got {type(got).__name__}"
        for key in expected:
            if key not in got:
                return f"{where}: key {key!r} is missing"
            problem = _mismatch(got[key], expected[key], f"{path}.{key}" if path else key)
            if problem:
                return problem
        return None
    if isinstance(expected, list):
        if not isinstance(got, list):
            return f"{where}: expected a list, got {type(got).__name__}"
        if len(got) != len(expected):
            return f"{where}: expected {len(expected)} item(s), got {len(got)}"
        for i, (g, e) in enumerate(zip(got, expected)):
            problem = _mismatch(g, e, f"{where}[{i}]")
            if problem:
                return problem
        return None
    if isinstance(expected, float):
        if not isinstance(got, (int, float)) or isinstance(got, bool):
            return f"{where}: expected a number, got {describe(got, 60)}"
        if math.isnan(got) or not math.isclose(got, expected, rel_tol=RTOL, abs_tol=ATOL):
            return f"{where}: expected {expected:.10g}, got {got:.10g}"
        return None
    if got != expected:
        return f"{where}: expected {describe(expected, 60)}, got {describe(got, 60)}"
    return None


def check_close(got, expected, ctx):
    problem = _mismatch(got, expected, "")
    if problem:
        return Verdict(False, problem, describe(expected), describe(got))
    return Verdict(True)


def _short(text, limit=90):
    return repr(text) if len(text) <= limit else repr(text[: limit - 3] + "...")


def check_sentences(got, expected, ctx):
    """Point at the first sentence that differs instead of only comparing lengths."""
    if not isinstance(got, list):
        return Verdict(False, f"split_sentences must return a list of strings, got {type(got).__name__}")
    for i, (g, e) in enumerate(zip(got, expected)):
        if g != e:
            if e.startswith(g) and len(g) < len(e):
                why = "you split too early (is the '.' an abbreviation, or is the next word lowercase?)"
            elif g.startswith(e):
                why = "you merged it with the next sentence (a boundary was missed)"
            else:
                why = "its text differs (check closing quotes and whitespace)"
            return Verdict(False, f"sentence {i} differs: {why}. Expected {_short(e)}, got {_short(g)} "
                                  f"({len(expected)} sentences expected, {len(got)} returned)",
                           describe(expected), describe(got))
    if len(got) != len(expected):
        extra = "extra" if len(got) > len(expected) else "missing"
        where = got[len(expected)] if len(got) > len(expected) else expected[len(got)]
        return Verdict(False, f"{len(expected)} sentences expected, {len(got)} returned; first {extra} "
                              f"sentence: {_short(where)}", describe(expected), describe(got))
    return Verdict(True)
