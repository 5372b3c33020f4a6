"""Markdown rendering with sanitising (markdown-it-py + nh3), code blocks highlighted by Pygments, and maths
($$...$$, \\[...\\] for display, \\(...\\) inline) kept verbatim for KaTeX (static/math.js) to typeset."""
from __future__ import annotations

import html
import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

ALLOWED_TAGS = {"a", "abbr", "b", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
                "i", "img", "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td", "th",
                "thead", "tr", "ul", "del", "span"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "code": {"class"},
                      "span": {"class"}, "th": {"align"}, "td": {"align"}}

# Code (fenced blocks, inline spans) is left alone; maths outside it is swapped for a placeholder that markdown
# cannot alter (its backslashes and underscores would otherwise become escapes and emphasis).
CODE = re.compile(r"(^(?P<fence>`{3,}|~{3,})[^\n]*\n[\s\S]*?^(?P=fence)[ \t]*$|`+[^`\n]*`+)", re.MULTILINE)
MATH = re.compile(r"\$\$(?P<d1>[\s\S]+?)\$\$|\\\[(?P<d2>[\s\S]+?)\\\]|\\\((?P<i>[\s\S]+?)\\\)")
PLACEHOLDER = re.compile(r"KATEXMATH(\d+)X")


def _highlight(code: str, lang: str, _attrs) -> str:
    """Token spans for a fenced block with a language (markdown-it wraps them in <pre><code>)."""
    if not lang:
        return ""  # markdown-it's own escaping
    try:
        lexer = get_lexer_by_name(lang)
    except ClassNotFound:
        return ""
    return highlight(code, lexer, HtmlFormatter(nowrap=True)).rstrip("\n")


@lru_cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False,
                                     "highlight": _highlight}).enable("table")


def _protect_math(text: str) -> tuple[str, list[tuple[str, bool]]]:
    found: list[tuple[str, bool]] = []

    def swap(match: re.Match) -> str:
        tex = match.group("d1") or match.group("d2")
        found.append((tex if tex is not None else match.group("i"), tex is not None))
        return f"KATEXMATH{len(found) - 1}X"

    out, index = [], 0
    for match in CODE.finditer(text):
        out.append(MATH.sub(swap, text[index:match.start()]))
        out.append(match.group(0))
        index = match.end()
    out.append(MATH.sub(swap, text[index:]))
    return "".join(out), found


def _restore_math(html_text: str, found: list[tuple[str, bool]]) -> str:
    def back(match: re.Match) -> str:
        index = int(match.group(1))
        if index >= len(found):
            return match.group(0)
        tex, display = found[index]
        kind = "math-display" if display else "math-inline"
        return f'<span class="math {kind}">{html.escape(tex.strip(), quote=False)}</span>'

    return PLACEHOLDER.sub(back, html_text) if found else html_text


def render_markdown(text: str) -> str:
    source, found = _protect_math(text or "")
    rendered = _parser().render(source)
    clean = nh3.clean(rendered, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, link_rel="noopener noreferrer",
                      url_schemes={"http", "https", "mailto"})
    return _restore_math(clean, found)


def render_inline(text: str) -> str:
    source, found = _protect_math(text or "")
    rendered = _parser().renderInline(source)
    clean = nh3.clean(rendered, tags={"strong", "em", "code", "a"}, attributes={"a": {"href"}},
                      link_rel="noopener noreferrer", url_schemes={"http", "https"})
    return _restore_math(clean, found)
