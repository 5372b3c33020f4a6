"""Lab 1 custom checks (run OUTSIDE the sandbox on decoded outputs). They point at the first place where
the student's output differs, in the terms of the format being parsed."""
from __future__ import annotations

from labkit.checks import Verdict, describe


def _short(text, limit=100):
    text = str(text)
    return repr(text) if len(text) <= limit else repr(text[: limit - 3] + "...")


def _mismatch(got, expected, path):
    """First difference between two JSON-like values (exact), as a sentence, or None."""
    where = path or "the result"
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return f"{where}: expected a dict, got {type(got).__name__}"
        for key in expected:
            if key not in got:
                return f"{where}: key {key!r} is missing"
            problem = _mismatch(got[key], expected[key], f"{path}[{key!r}]" if path else key)
            if problem:
                return problem
        return None
    if isinstance(expected, list):
        if not isinstance(got, list):
            return f"{where}: expected a list, got {type(got).__name__}"
        for i, (g, e) in enumerate(zip(got, expected)):
            problem = _mismatch(g, e, f"{where}[{i}]")
            if problem:
                return problem
        if len(got) != len(expected):
            return f"{where}: expected {len(expected)} item(s), got {len(got)}"
        return None
    if got != expected or type(got) is not type(expected):
        return f"{where}: expected {_short(expected)}, got {_short(got)}"
    return None


def check_structure(got, expected, ctx):
    problem = _mismatch(got, expected, "")
    return Verdict(True) if problem is None else Verdict(False, problem, describe(expected), describe(got))


def check_books(got, expected, ctx):
    """strip_gutenberg: {book name: body text} (+ 'no_markers' on hidden seeds)."""
    if not isinstance(got, dict):
        return Verdict(False, "internal: expected a dict of books")
    for name, want in expected.items():
        have = got.get(name)
        if name == "no_markers":
            if have != want:
                return Verdict(False, "strip_gutenberg must raise ValueError when the text has no "
                                      "*** START OF ... *** / *** END OF ... *** markers")
            continue
        if have == want:
            continue
        if "\r" in have:
            return Verdict(False, f"{name}: the body still contains '\\r' characters; convert Windows "
                                  "line endings (\\r\\n) to \\n", describe(want), describe(have))
        if have.startswith("\ufeff"):
            return Verdict(False, f"{name}: the body starts with a byte-order mark (U+FEFF)")
        want_lines, have_lines = want.split("\n"), have.split("\n")
        for i, (w, h) in enumerate(zip(want_lines, have_lines)):
            if w != h:
                return Verdict(False, f"{name}: line {i + 1} of the body differs: expected {_short(w)}, "
                                      f"got {_short(h)}", describe(want), describe(have))
        if len(have_lines) > len(want_lines):
            return Verdict(False, f"{name}: your body has {len(have_lines) - len(want_lines)} extra line(s) at "
                                  f"the end, starting with {_short(have_lines[len(want_lines)])} (footer or "
                                  "'End of the Project Gutenberg' line not removed?)", describe(want), describe(have))
        return Verdict(False, f"{name}: your body stops early; the next expected line is "
                              f"{_short(want_lines[len(have_lines)])}", describe(want), describe(have))
    return Verdict(True)


def check_pages(got, expected, ctx):
    """parse_wiki_dump: the list of article pages."""
    want_titles = [p["title"] for p in expected]
    have_titles = [p.get("title") for p in got]
    if have_titles != want_titles:
        extra = [t for t in have_titles if t not in want_titles]
        missing = [t for t in want_titles if t not in have_titles]
        detail = (f"unexpected page(s) {extra[:3]} (only namespace 0, no redirects)" if extra else
                  f"missing page(s) {missing[:3]}" if missing else "pages are not in document order")
        return Verdict(False, f"expected the pages {want_titles}, got {have_titles}: {detail}",
                       describe(want_titles), describe(have_titles))
    for w, h in zip(expected, got):
        if h["id"] != w["id"]:
            return Verdict(False, f"page {w['title']!r}: expected id {w['id']}, got {h['id']} (use the <id> "
                                  "that is a direct child of <page>, not a revision or contributor id)")
        if h["wikitext"] != w["wikitext"]:
            return Verdict(False, f"page {w['title']!r}: wikitext differs. Expected it to start with "
                                  f"{_short(w['wikitext'], 80)}, got {_short(h['wikitext'], 80)} (use the last "
                                  "<revision>'s <text>)", describe(w["wikitext"]), describe(h["wikitext"]))
    return Verdict(True)


def check_plain(got, expected, ctx):
    """wikitext_to_plain: compared word by word (whitespace-insensitive)."""
    for index, (want, have) in enumerate(zip(expected, got)):
        w, h = want.split(), have.split()
        if w == h:
            continue
        i = next((k for k, (a, b) in enumerate(zip(w, h)) if a != b), min(len(w), len(h)))
        context = " ".join(w[max(0, i - 6):i])
        label = f"text {index + 1}: " if len(expected) > 1 else ""
        return Verdict(False, f"{label}after ...{context!r} the words differ: expected "
                              f"{' '.join(w[i:i + 6])!r}, got {' '.join(h[i:i + 6])!r}",
                       describe(want), describe(have))
    return Verdict(True)


def check_tweets(got, expected, ctx):
    if got["malformed"] != expected["malformed"]:
        return Verdict(False, f"malformed line numbers: expected {expected['malformed']}, got {got['malformed']} "
                              "(1-based; skip blank lines, delete/limit notices and duplicate ids without "
                              "reporting them)", describe(expected["malformed"]), describe(got["malformed"]))
    want_ids, have_ids = [t["id"] for t in expected["tweets"]], [t["id"] for t in got["tweets"]]
    if want_ids != have_ids:
        return Verdict(False, f"expected {len(want_ids)} tweets with ids {want_ids[:4]}..., got {len(have_ids)} "
                              f"with ids {have_ids[:4]}... (drop duplicates, keep the first)",
                       describe(want_ids), describe(have_ids))
    for w, h in zip(expected["tweets"], got["tweets"]):
        for key in ("user", "text", "hashtags", "mentions", "is_retweet"):
            if w[key] != h[key]:
                return Verdict(False, f"tweet {w['id']}: {key!r} expected {_short(w[key])}, got {_short(h[key])}",
                               describe(w), describe(h))
    return Verdict(True)
