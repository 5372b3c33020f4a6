"""Lab 3: cleaning and pre-processing scraped text. Submit this file as text_cleaning.py.

Implement the functions below; the README gives the exact rules. Use only the standard library
(html.parser, unicodedata, re). Run `python text_cleaning.py` next to the data/ folder to try them.
"""
from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser

# Text inside these elements is never kept (nested ones included).
SKIP_TAGS = {"script", "style", "noscript", "template", "svg"}
# The start and the end of these elements break the line.
BLOCK_TAGS = {"address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
              "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main",
              "nav", "ol", "p", "pre", "section", "table", "title", "tr", "ul"}
# The start of these table cells inserts a space.
CELL_TAGS = {"td", "th"}
# Typographic quotes and dashes and their ASCII replacements.
QUOTES = {"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
          "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"'}
DASHES = {c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"}


def html_to_text(html: str) -> str:
    """Visible text of an HTML page, one line per block, with whitespace collapsed and no empty lines."""
    raise NotImplementedError("html_to_text")


def fix_mojibake(text: str) -> str:
    """Repair lines that were UTF-8 decoded as windows-1252 ('cafÃ©' -> 'café'); leave other lines alone."""
    raise NotImplementedError("fix_mojibake")


def normalize_unicode(text: str) -> str:
    """\\r\\n/\\r -> \\n, NFKC, quotes and dashes to ASCII, drop control (Cc, except \\n \\t) and format (Cf) characters."""
    raise NotImplementedError("normalize_unicode")


def normalize_whitespace(text: str) -> str:
    """Plain spaces, single spaces inside lines, stripped lines, at most one blank line in a row, stripped."""
    raise NotImplementedError("normalize_whitespace")


def clean_document(raw_html: str) -> str:
    """html_to_text -> fix_mojibake -> normalize_unicode -> normalize_whitespace."""
    raise NotImplementedError("clean_document")


def clean_corpus(docs: list[str], min_words: int = 5) -> list[str]:
    """Clean every document, drop those with fewer than min_words words, drop exact duplicates (keep the first)."""
    raise NotImplementedError("clean_corpus")


if __name__ == "__main__":
    from pathlib import Path

    folder = Path(__file__).parent / "data" / "html"
    pages = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.html"))]
    for path, page in zip(sorted(folder.glob("*.html")), pages):
        print(f"===== {path.name}\n{clean_document(page)}\n")
    print(f"{len(clean_corpus(pages))} of {len(pages)} pages kept by clean_corpus")
