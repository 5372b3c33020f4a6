"""Common mistake: a True/False flag instead of a depth counter for skipped elements."""
from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser

SKIP_TAGS = {"script", "style", "noscript", "template", "svg"}
BLOCK_TAGS = {"address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
              "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main",
              "nav", "ol", "p", "pre", "section", "table", "title", "tr", "ul"}
CELL_TAGS = {"td", "th"}
QUOTES = {"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
          "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"'}
DASHES = {c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"}
CHAR_MAP = str.maketrans({**QUOTES, **DASHES})
BREAK = "\x00"  # internal line-break marker (the parser never passes NUL through as text we keep)


class _TextExtractor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIP_TAGS:
            self.skip_depth = 1
        elif tag in BLOCK_TAGS:
            self.parts.append(BREAK)
        elif tag in CELL_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in SKIP_TAGS:
            self.skip_depth = 0
        elif tag in BLOCK_TAGS:
            self.parts.append(BREAK)

    def handle_data(self, data):
        if not self.skip_depth:
            self.parts.append(data.replace(BREAK, ""))


def html_to_text(html: str) -> str:
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    lines = (" ".join(chunk.split()) for chunk in "".join(parser.parts).split(BREAK))
    return "\n".join(line for line in lines if line)


def _sloppy_cp1252(line: str) -> bytes:
    """Encode like a browser's windows-1252: cp1252 where defined, else the code point as a byte."""
    out = bytearray()
    for ch in line:
        try:
            out += ch.encode("cp1252")
        except UnicodeEncodeError:
            if ord(ch) > 0xFF:
                raise
            out.append(ord(ch))
    return bytes(out)


def fix_mojibake(text: str) -> str:
    fixed = []
    for line in text.split("\n"):
        if not line.isascii():
            try:
                line = _sloppy_cp1252(line).decode("utf-8")
            except UnicodeError:
                pass
        fixed.append(line)
    return "\n".join(fixed)


def normalize_unicode(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFKC", text).translate(CHAR_MAP)
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf"))


def normalize_whitespace(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    text = "".join(" " if ch == "\t" or unicodedata.category(ch) == "Zs" else ch for ch in text)
    lines = [re.sub(r" {2,}", " ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def clean_document(raw_html: str) -> str:
    return normalize_whitespace(normalize_unicode(fix_mojibake(html_to_text(raw_html))))


def clean_corpus(docs: list[str], min_words: int = 5) -> list[str]:
    kept, seen = [], set()
    for doc in docs:
        text = clean_document(doc)
        if len(text.split()) >= min_words and text not in seen:
            seen.add(text)
            kept.append(text)
    return kept
