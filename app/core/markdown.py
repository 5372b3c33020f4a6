"""Markdown rendering with sanitising (markdown-it-py + nh3)."""
from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {"a", "abbr", "b", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
                "i", "img", "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td", "th",
                "thead", "tr", "ul", "del", "span"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "code": {"class"},
                      "span": {"class"}, "th": {"align"}, "td": {"align"}}


@lru_cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


def render_markdown(text: str) -> str:
    html = _parser().render(text or "")
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, link_rel="noopener noreferrer",
                     url_schemes={"http", "https", "mailto"})


def render_inline(text: str) -> str:
    html = _parser().renderInline(text or "")
    return nh3.clean(html, tags={"strong", "em", "code", "a"}, attributes={"a": {"href"}},
                     link_rel="noopener noreferrer", url_schemes={"http", "https"})
