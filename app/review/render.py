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


def _lexer(filename: str):
    from pygments.lexers import get_lexer_for_filename
    from pygments.lexers.special import TextLexer
    from pygments.util import ClassNotFound

    if not filename or filename.endswith(".py"):
        return PythonLexer(stripnl=False, ensurenl=True)
    try:
        return get_lexer_for_filename(filename, stripnl=False, ensurenl=True)
    except ClassNotFound:
        return TextLexer(stripnl=False, ensurenl=True)


def highlight_lines(code: str, filename: str = "") -> list[str]:
    """Highlighted HTML per source line: Pygments closes its spans at each line end, so each item is whole."""
    formatter = HtmlFormatter(nowrap=True)
    html = highlight(code, _lexer(filename), formatter)
    lines = html.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines or [""]


def highlight_code(code: str, hl_lines: list[int] | None = None, anchor: str = "L", filename: str = "") -> Markup:
    """Code as HTML, one table row per source line: the linked line number (id `{anchor}-N`) and the
    highlighted line sit in the same row, so they cannot drift apart, and a long line wraps inside its row
    (the number stays at its first visual line). Marked lines (`hl_lines`) get class "hll"."""
    marked = set(hl_lines or [])
    rows = []
    for number, line in enumerate(highlight_lines(code, filename), start=1):
        row_id = f"{anchor}-{number}"
        mark = ' class="hll"' if number in marked else ""
        rows.append(f'<tr id="{row_id}"{mark}><td class="ln"><a href="#{row_id}" aria-label="line {number}">'
                    f'{number}</a></td><td class="src"><code>{line or " "}</code></td></tr>')
    return Markup('<div class="highlight"><table class="codelines"><tbody>' + "".join(rows)
                  + "</tbody></table></div>")


@lru_cache
def pygments_css() -> str:
    """Token colours for light and dark mode, scoped to .highlight, and the code view's layout."""
    light = HtmlFormatter(style="friendly").get_style_defs(".highlight")
    dark = HtmlFormatter(style="monokai").get_style_defs(".highlight")
    return (f"{light}\n@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n"
            ".highlight .hll { background-color: rgba(250, 176, 5, .28); }\n" + CODELINES_CSS)


# One row per line (highlight_code): numbers and code share a row, long lines wrap inside it.
CODELINES_CSS = """
.highlight { border-radius: 8px; padding: .5rem 0; }
.highlight table.codelines { width: 100%; border-collapse: collapse; margin: 0; table-layout: auto;
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .86rem; line-height: 1.45; }
.highlight table.codelines td { border: 0; padding: 0 .6rem 0 .4rem; vertical-align: top; }
.highlight table.codelines td.ln { width: 1%; min-width: 2.5rem; text-align: right; white-space: nowrap;
  user-select: none; padding-left: .8rem; }
.highlight table.codelines td.ln a { color: var(--muted, #6b7280); text-decoration: none; }
.highlight table.codelines td.src { white-space: pre-wrap; overflow-wrap: anywhere; word-break: break-word; }
.highlight table.codelines td.src code { background: none; padding: 0; border-radius: 0; font: inherit;
  white-space: inherit; }
.highlight table.codelines tr:target { outline: 2px solid var(--focus, #2563eb); outline-offset: -2px; }
.code-view .file-name { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .9rem;
  margin: .8rem 0 .3rem; }
"""


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
