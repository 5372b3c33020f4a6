"""Feedback helpers for checks.py (OUTSIDE the sandbox): find the FIRST place where the student's output
differs from the reference and say it in the lab's terms.

    from labkit.compare import first_difference, same, check_fields, each_result

    def check_structure(got, expected, ctx):
        return same(got, expected)                     # "tweets[2]['user']: expected 'ana', got None"

    def check_stats(got, expected, ctx):               # field by field, one explanation per field
        return check_fields(got, expected, rtol=1e-9,
                            explain={"ttr": "types / tokens over the lower-cased tokens"})
"""
from __future__ import annotations

import math
from typing import Any, Callable, Iterable, Sequence

from labkit.checks import Verdict, describe


def short(value: Any, limit: int = 100) -> str:
    """repr() of a value cut to `limit` characters (ascii escapes make invisible characters visible)."""
    text = ascii(value) if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 4] + "..." + text[-1]


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _join(path: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{path or 'the result'}[{key}]"
    return f"{path}[{key!r}]" if path else str(key)


def first_difference(got: Any, expected: Any, path: str = "", *, rtol: float = 0.0, atol: float = 0.0,
                     strict_types: bool = True) -> str | None:
    """Walk two JSON-like values (dicts, lists, numbers, strings) and describe the first difference, or
    return None when they agree. Floats within rtol/atol agree; with strict_types an int is not a float
    and a bool is not an int. Dict keys are visited in the expected value's order."""
    where = path or "the result"
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return f"{where}: expected a dict, got a {type(got).__name__}"
        for key in expected:
            if key not in got:
                return f"{where}: key {key!r} is missing"
        for key in expected:
            problem = first_difference(got[key], expected[key], _join(path, key), rtol=rtol, atol=atol,
                                       strict_types=strict_types)
            if problem:
                return problem
        extra = [key for key in got if key not in expected]
        return f"{where}: unexpected key {extra[0]!r}" if extra else None
    if isinstance(expected, (list, tuple)):
        if not isinstance(got, (list, tuple)):
            return f"{where}: expected a list, got a {type(got).__name__}"
        for index, (have, want) in enumerate(zip(got, expected)):
            problem = first_difference(have, want, _join(path, index), rtol=rtol, atol=atol,
                                       strict_types=strict_types)
            if problem:
                return problem
        if len(got) != len(expected):
            return f"{where}: expected {len(expected)} item(s), got {len(got)}"
        return None
    if isinstance(expected, float) and (rtol or atol):
        if not _is_number(got):
            return f"{where}: expected a number, got {short(got, 60)}"
        if math.isnan(expected) and isinstance(got, float) and math.isnan(got):
            return None
        if not math.isclose(float(got), expected, rel_tol=rtol, abs_tol=atol):
            return f"{where}: expected {expected:.10g}, got {float(got):.10g}"
        return None
    if strict_types and type(got) is not type(expected) and not (isinstance(expected, float) and _is_number(got)):
        return f"{where}: expected a {type(expected).__name__} ({short(expected, 60)}), got a {type(got).__name__} ({short(got, 60)})"
    if got != expected:
        if isinstance(expected, str) and isinstance(got, str) and "\n" in expected + got:
            return f"{where}: {first_line_difference(got, expected)}"
        return f"{where}: expected {short(expected)}, got {short(got)}"
    return None


def same(got: Any, expected: Any, *, rtol: float = 0.0, atol: float = 0.0, label: str = "") -> Verdict:
    """A Verdict from first_difference (exact unless rtol/atol are given)."""
    problem = first_difference(got, expected, rtol=rtol, atol=atol)
    if problem is None:
        return Verdict(True)
    return Verdict(False, label + problem, describe(expected), describe(got))


def first_index(got: Sequence, expected: Sequence) -> int | None:
    """Index of the first item that differs (or where the shorter one ends), None when equal."""
    for index, (have, want) in enumerate(zip(got, expected)):
        if have != want:
            return index
    return None if len(got) == len(expected) else min(len(got), len(expected))


def first_line_difference(got: str, expected: str) -> str | None:
    """The first differing line and column of two texts, with invisible characters escaped."""
    if got == expected:
        return None
    want, have = expected.split("\n"), got.split("\n")
    for number, (a, b) in enumerate(zip(want, have), start=1):
        if a != b:
            column = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
            return (f"line {number} differs at character {column + 1}: expected {short(a, 110)}, "
                    f"got {short(b, 110)}")
    if len(have) > len(want):
        return f"{len(have) - len(want)} extra line(s) at the end, starting with {short(have[len(want)], 110)}"
    return f"{len(want) - len(have)} line(s) missing at the end, starting with {short(want[len(have)], 110)}"


def set_difference(got: Iterable, expected: Iterable, limit: int = 3) -> str | None:
    """'missing e.g. [...]; unexpected e.g. [...]' for two collections compared as sets, or None."""
    have, want = set(got), set(expected)
    if have == want:
        return None
    parts = [f"{len(want)} expected, {len(have)} returned"]
    missing, extra = sorted(want - have, key=repr)[:limit], sorted(have - want, key=repr)[:limit]
    if missing:
        parts.append(f"missing e.g. {missing}")
    if extra:
        parts.append(f"unexpected e.g. {extra}")
    return "; ".join(parts)


def check_fields(got: Any, expected: dict, fields: Iterable[str] | None = None, *, rtol: float = 0.0,
                 atol: float = 0.0, explain: dict[str, str] | None = None, label: str = "") -> Verdict:
    """Compare a dict field by field (in `fields` order, default the expected keys) and name the first
    field that differs, followed by `explain[field]` (what that field means, where the bug usually is)."""
    if not isinstance(got, dict):
        return Verdict(False, f"{label}expected a dict, got a {type(got).__name__}", describe(expected), describe(got))
    explain = explain or {}
    for name in (list(fields) if fields is not None else list(expected)):
        if name not in got:
            return Verdict(False, f"{label}{name!r} is missing", describe(expected), describe(got))
        problem = first_difference(got[name], expected[name], name, rtol=rtol, atol=atol)
        if problem:
            why = explain.get(name)
            return Verdict(False, label + problem + (f" ({why})" if why else ""),
                           describe(expected[name]), describe(got[name]))
    return Verdict(True)


def each_result(got: Any, expected: Sequence, compare: Callable[[Any, Any], str | Verdict | None],
                what: str = "input") -> Verdict:
    """Several results (one per input or per run): compare each pair with `compare(got_i, expected_i)`
    (a message, a Verdict or None) and report the first failure as '<what> N: ...'."""
    if not isinstance(got, list) or len(got) != len(expected):
        count = len(got) if isinstance(got, list) else type(got).__name__
        return Verdict(False, f"expected {len(expected)} result(s), got {count}", describe(expected), describe(got))
    label = len(expected) > 1
    for number, (have, want) in enumerate(zip(got, expected), start=1):
        outcome = compare(have, want)
        if isinstance(outcome, Verdict):
            if outcome.passed:
                continue
            message, shown_want, shown_have = outcome.feedback, outcome.expected, outcome.got
        elif outcome:
            message, shown_want, shown_have = outcome, describe(want), describe(have)
        else:
            continue
        return Verdict(False, (f"{what} {number}: " if label else "") + message,
                       shown_want or describe(want), shown_have or describe(have))
    return Verdict(True)
