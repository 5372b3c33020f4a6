"""Lab 1 custom checks (run OUTSIDE the sandbox on decoded outputs). They point at the first place where
the student's output differs (labkit.compare), in the terms of the format being parsed."""
from __future__ import annotations

from labkit.checks import Verdict, describe
from labkit.compare import check_fields, first_index, first_line_difference, same


def check_structure(got, expected, ctx):
    return same(got, expected)


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
        problem = first_line_difference(have, want)
        if problem.startswith(("1 extra", "extra")) or " extra line" in problem:
            problem += " (footer or 'End of the Project Gutenberg' line not removed?)"
        elif "missing at the end" in problem:
            problem += " (your body stops early: a '***' divider in the body is not an END marker)"
        return Verdict(False, f"{name}: {problem}", describe(want), describe(have))
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
    explain = {"id": "use the <id> that is a direct child of <page>, not a revision or contributor id",
               "wikitext": "use the last <revision>'s <text>; an empty <text /> is ''"}
    for w, h in zip(expected, got):
        verdict = check_fields(h, w, ("id", "wikitext"), explain=explain, label=f"page {w['title']!r}: ")
        if not verdict.passed:
            return verdict
    return Verdict(True)


def check_plain(got, expected, ctx):
    """wikitext_to_plain: compared word by word (whitespace-insensitive)."""
    for index, (want, have) in enumerate(zip(expected, got)):
        w, h = want.split(), have.split()
        i = first_index(h, w)
        if i is None:
            continue
        context = " ".join(w[max(0, i - 6):i])
        label = f"text {index + 1}: " if len(expected) > 1 else ""
        hint = ""
        if any(x in " ".join(w[i:i + 6]) for x in ("<", "''", "[[")):
            hint = " (escaped markup such as &lt;b&gt; is text: unescape entities last, after the markup steps)"
        return Verdict(False, f"{label}after ...{context!r} the words differ: expected "
                              f"{' '.join(w[i:i + 6])!r}, got {' '.join(h[i:i + 6])!r}{hint}",
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
        verdict = check_fields(h, w, ("user", "text", "hashtags", "mentions", "is_retweet"),
                               label=f"tweet {w['id']}: ")
        if not verdict.passed:
            return verdict
    return Verdict(True)
