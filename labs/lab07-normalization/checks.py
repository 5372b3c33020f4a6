"""Lab 7 custom checks (run OUTSIDE the sandbox)."""
from __future__ import annotations

from labkit.checks import Verdict, describe
from labkit.compare import first_index


def check_mapping(got, expected, ctx):
    """{input word: result}: name the first word whose result differs, and count the others."""
    wrong = [w for w in expected if got.get(w) != expected[w]]
    if not wrong:
        return Verdict(True)
    w = wrong[0]
    return Verdict(False, f"{len(wrong)} of {len(expected)} words differ, e.g. {w!r}: expected {expected[w]!r}, "
                          f"got {got.get(w)!r}", describe(expected), describe(got))


def check_token_lists(got, expected, ctx):
    for name, want_texts in expected.items():
        for index, (want, have) in enumerate(zip(want_texts, got.get(name, []))):
            if want != have:
                i = first_index(have, want)
                return Verdict(False, f"config {name!r}, text {index + 1}: token {i} expected "
                                      f"{want[i] if i < len(want) else 'END'!r}, got {have[i] if i < len(have) else 'END'!r} "
                                      f"({len(want)} tokens expected, {len(have)} returned)",
                               describe(want), describe(have))
    return Verdict(True)


def check_report(got, expected, ctx):
    for name, want in expected.items():
        have = got.get(name)
        if have != want:
            return Verdict(False, f"config {name!r}: expected {want['tokens']} tokens / {want['types']} types, got "
                                  f"{have['tokens']} / {have['types']}", describe(expected), describe(got))
    return Verdict(True)
