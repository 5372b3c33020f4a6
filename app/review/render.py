"""Server-side rendering helpers for the review pages: Pygments highlighting with line numbers, and a
line diff against the previous attempt (difflib) as table rows."""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import lru_cache

from markupsafe import Markup
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

MAX_DIFF_ROWS = 2000


def highlight_code(code: str, hl_lines: list[int] | None = None, anchor: str = "L") -> Markup:
    """Python code as HTML: a table of linked line numbers (id `{anchor}-N`) and highlighted code."""
    formatter = HtmlFormatter(linenos="table", lineanchors=anchor, anchorlinenos=True, hl_lines=hl_lines or [],
                              cssclass="highlight", wrapcode=True)
    return Markup(highlight(code, PythonLexer(stripnl=False, ensurenl=True), formatter))


@lru_cache
def pygments_css() -> str:
    """Token colours for light and dark mode, scoped to .highlight."""
    light = HtmlFormatter(style="friendly").get_style_defs(".highlight")
    dark = HtmlFormatter(style="monokai").get_style_defs(".highlight")
    return (f"{light}\n@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n"
            ".highlight .hll { background-color: rgba(250, 176, 5, .28); }\n")


@dataclass
class DiffRow:
    kind: str  # hunk|same|add|del
    old_no: int | None
    new_no: int | None
    text: str


def diff_rows(old: str, new: str, context: int = 3) -> list[DiffRow]:
    """Changed lines with `context` lines around them; empty when the codes are the same."""
    a, b = old.splitlines(), new.splitlines()
    rows: list[DiffRow] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        first, last = group[0], group[-1]
        rows.append(DiffRow("hunk", None, None, f"@@ -{first[1] + 1},{last[2] - first[1]} "
                                                f"+{first[3] + 1},{last[4] - first[3]} @@"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows.extend(DiffRow("same", i + 1, j + 1, a[i]) for i, j in zip(range(i1, i2), range(j1, j2)))
                continue
            if tag in ("replace", "delete"):
                rows.extend(DiffRow("del", i + 1, None, a[i]) for i in range(i1, i2))
            if tag in ("replace", "insert"):
                rows.extend(DiffRow("add", None, j + 1, b[j]) for j in range(j1, j2))
        if len(rows) > MAX_DIFF_ROWS:
            rows.append(DiffRow("hunk", None, None, "… diff truncated"))
            break
    return rows
