"""Lab 1 reference solution: reading Project Gutenberg books, MediaWiki dumps and tweet streams."""
from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET

# ----------------------------------------------------------------------------- Project Gutenberg

START = re.compile(r"^\*\*\*\s*START OF (THE|THIS) PROJECT GUTENBERG EBOOK", re.IGNORECASE)
END = re.compile(r"^\*\*\*\s*END OF (THE|THIS) PROJECT GUTENBERG EBOOK", re.IGNORECASE)
OLD_END = re.compile(r"^End of (the )?Project Gutenberg", re.IGNORECASE)


def _lines(raw: str) -> list[str]:
    return raw.lstrip("\ufeff").replace("\r\n", "\n").split("\n")


def strip_gutenberg(raw: str) -> str:
    lines = _lines(raw)
    start = next((i for i, line in enumerate(lines) if START.match(line)), None)
    end = next((i for i, line in enumerate(lines) if END.match(line)), None)
    if start is None or end is None or end <= start:
        raise ValueError("no Project Gutenberg START/END markers found")
    body = [line for line in lines[start + 1:end] if not OLD_END.match(line)]
    return "\n".join(body).strip()


def gutenberg_metadata(raw: str) -> dict:
    meta = {"title": None, "author": None, "language": None, "release_date": None, "ebook_number": None}
    fields = {"title": "title", "author": "author", "language": "language", "release date": "release_date"}
    for line in _lines(raw):
        if START.match(line):
            break
        key, sep, value = line.partition(":")
        field = fields.get(key.strip().lower()) if sep else None
        if field and meta[field] is None:
            value = value.strip()
            if field == "release_date":
                number = re.search(r"\[(?:e-?book|etext) #(\d+)\]", value, re.IGNORECASE)
                if number:
                    meta["ebook_number"] = int(number.group(1))
                value = value.split("[")[0].strip()
            meta[field] = value
    return meta


# ----------------------------------------------------------------------------- MediaWiki XML dumps


def _latest_text(page: ET.Element, ns: str) -> str | None:
    """The <text> of the page's last <revision> (a history dump lists them oldest first)."""
    revisions = page.findall(f"{ns}revision")
    return revisions[-1].findtext(f"{ns}text") if revisions else None


def parse_wiki_dump(xml_text: str) -> list[dict]:
    root = ET.fromstring(xml_text)
    ns = root.tag[:root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    pages = []
    for page in root.iter(f"{ns}page"):
        if page.findtext(f"{ns}ns") != "0" or page.find(f"{ns}redirect") is not None:
            continue
        pages.append({"id": int(page.findtext(f"{ns}id")), "title": page.findtext(f"{ns}title"),
                      "wikitext": _latest_text(page, ns) or ""})
    return pages


def _remove_balanced(text: str, opener: str, closer: str, starts: re.Pattern | None = None) -> str:
    """Remove every opener...closer span (nesting allowed) whose start matches `starts`."""
    out, i = [], 0
    while i < len(text):
        if text.startswith(opener, i) and (starts is None or starts.match(text, i)):
            depth, j = 0, i
            while j < len(text):
                if text.startswith(opener, j):
                    depth, j = depth + 1, j + len(opener)
                elif text.startswith(closer, j):
                    depth, j = depth - 1, j + len(closer)
                    if depth == 0:
                        break
                else:
                    j += 1
            if depth == 0:
                i = j
                continue
        out.append(text[i])
        i += 1
    return "".join(out)


def wikitext_to_plain(wikitext: str) -> str:
    text = re.sub(r"<!--.*?-->", "", wikitext, flags=re.DOTALL)
    text = re.sub(r"<ref[^>]*/>", "", text)
    text = re.sub(r"<ref[^>]*>.*?</ref>", "", text, flags=re.DOTALL)
    text = _remove_balanced(text, "{{", "}}")
    text = re.sub(r"__[A-Z]+__", "", text)
    text = _remove_balanced(text, "[[", "]]", re.compile(r"\[\[\s*(file|image|category):", re.IGNORECASE))
    text = re.sub(r"\[\[([^\]|]*)\|([^\]]*)\]\]", r"\2", text)
    text = re.sub(r"\[\[([^\]]*)\]\]", r"\1", text)
    text = re.sub(r"\[https?://[^\s\]]+ ?([^\]]*)\]", r"\1", text)
    text = re.sub(r"'{2,}", "", text)
    text = re.sub(r"</?[a-zA-Z][^>]*>", "", text)
    text = re.sub(r"(?m)^(=+)\s*(.*?)\s*\1\s*$", r"\2", text)
    text = re.sub(r"(?m)^[*#:;]+\s*", "", text)
    text = html.unescape(text).replace("\xa0", " ")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# ----------------------------------------------------------------------------- Tweets (JSON lines)

HASHTAG = re.compile(r"(?<!\w)#(\w*[^\W\d_]\w*)")
MENTION = re.compile(r"(?<!\w)@(\w+)")


def _full_text(status: dict) -> str | None:
    extended = status.get("extended_tweet")
    if isinstance(extended, dict) and isinstance(extended.get("full_text"), str):
        return extended["full_text"]
    for key in ("full_text", "text"):
        if isinstance(status.get(key), str):
            return status[key]
    return None


def _unique_lower(items: list[str]) -> list[str]:
    seen: list[str] = []
    for item in items:
        if item.lower() not in seen:
            seen.append(item.lower())
    return seen


def parse_tweets(jsonl: str) -> dict:
    tweets, malformed, seen = [], [], set()
    for number, line in enumerate(jsonl.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            malformed.append(number)
            continue
        if isinstance(obj, dict) and ("delete" in obj or "limit" in obj):
            continue
        user = obj.get("user") if isinstance(obj, dict) else None
        text = _full_text(obj) if isinstance(obj, dict) else None
        if (not isinstance(user, dict) or not isinstance(user.get("screen_name"), str)
                or not isinstance(obj.get("id_str"), str) or text is None):
            malformed.append(number)
            continue
        if obj["id_str"] in seen:
            continue
        seen.add(obj["id_str"])
        original = obj.get("retweeted_status")
        if isinstance(original, dict) and _full_text(original) is not None:
            text = f"RT @{original['user']['screen_name']}: {_full_text(original)}"
        text = html.unescape(text)
        tweets.append({"id": obj["id_str"], "user": user["screen_name"], "text": text,
                       "hashtags": _unique_lower(HASHTAG.findall(text)),
                       "mentions": _unique_lower(MENTION.findall(text)),
                       "is_retweet": isinstance(original, dict)})
    return {"tweets": tweets, "malformed": malformed}
