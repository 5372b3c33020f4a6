"""Lab 2 custom checks (run OUTSIDE the sandbox on decoded outputs)."""
from __future__ import annotations

from labkit.checks import Verdict, describe
from labkit.compare import same

RTOL = 1e-9
ATOL = 1e-12


def check_close(got, expected, ctx):
    """Ints exactly; floats with a tight tolerance (summation order is harmless)."""
    return same(got, expected, rtol=RTOL, atol=ATOL)


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
