"""Lab 1: text data sources and formats. Submit this file as text_sources.py.

Implement the five functions below; the README gives the exact rules. Only the standard library is
needed (re, json, html, xml.etree.ElementTree are imported for you).
Run `python text_sources.py` next to the data/ folder to try your functions on the samples.
"""
from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET

# ----------------------------------------------------------------------------- Project Gutenberg


def strip_gutenberg(raw: str) -> str:
    """The book's body: the lines strictly between the '*** START OF ...' and '*** END OF ...' marker
    lines, with '\\n' line endings, without 'End of (the) Project Gutenberg...' lines, stripped.
    Raise ValueError if either marker is missing."""
    raise NotImplementedError("strip_gutenberg")


def gutenberg_metadata(raw: str) -> dict:
    """{"title", "author", "language", "release_date": str or None, "ebook_number": int or None},
    read from the 'Key: value' lines of the header (before the START marker)."""
    raise NotImplementedError("gutenberg_metadata")


# ----------------------------------------------------------------------------- MediaWiki XML dumps


def parse_wiki_dump(xml_text: str) -> list[dict]:
    """[{"id": int, "title": str, "wikitext": str}] for every article page (<ns>0</ns>, not a
    redirect), in document order, with the text of the page's last revision."""
    raise NotImplementedError("parse_wiki_dump")


def wikitext_to_plain(wikitext: str) -> str:
    """Readable plain text: no templates, refs, comments, files, categories or markup; links
    replaced by their labels; headings and list items kept as lines (see the README's 14 steps)."""
    raise NotImplementedError("wikitext_to_plain")


# ----------------------------------------------------------------------------- Tweets (JSON lines)


def parse_tweets(jsonl: str) -> dict:
    """{"tweets": [{"id", "user", "text", "hashtags", "mentions", "is_retweet"}], "malformed": [line numbers]}"""
    raise NotImplementedError("parse_tweets")


if __name__ == "__main__":
    from pathlib import Path

    data = Path(__file__).parent / "data"
    for path in sorted((data / "gutenberg").glob("*.txt")):
        raw = path.read_text(encoding="utf-8")
        print(f"== {path.name}: {gutenberg_metadata(raw)}")
        print("   body starts:", repr(strip_gutenberg(raw)[:80]))
    pages = parse_wiki_dump((data / "wiki" / "enwiki-excerpt.xml").read_text(encoding="utf-8"))
    for page in pages:
        print(f"== wiki page {page['id']} {page['title']!r}:", wikitext_to_plain(page["wikitext"])[:100])
    result = parse_tweets((data / "tweets" / "tweets.jsonl").read_text(encoding="utf-8"))
    for tweet in result["tweets"]:
        print(f"== @{tweet['user']}: {tweet['text'][:60]!r} {tweet['hashtags']} {tweet['mentions']}")
    print("malformed lines:", result["malformed"])
