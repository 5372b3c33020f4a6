"""Lab 1 harness: runs inside the sandbox. Visible cases read the sample files in data/; hidden cases
generate new Gutenberg books, MediaWiki dumps and tweet streams from the seed (each case from its own
labkit.data.case_rng). Every hidden input holds every trap the README names (legacy and compact markers,
'***' dividers, look-alike header lines, nested templates, escaped markup that only survives when entities
are unescaped last, every kind of dump page and stream line), on every seed. No expected values here."""
from __future__ import annotations

import json
import numbers
from xml.sax.saxutils import escape, quoteattr

from labkit.data import case_rng, read_text
from labkit.harness import case
from labkit.returns import text

# ----------------------------------------------------------------------------- validation


_text = text


META_KEYS = ("title", "author", "language", "release_date", "ebook_number")


def _metadata(value):
    if not isinstance(value, dict):
        raise TypeError(f"gutenberg_metadata must return a dict, got {type(value).__name__}")
    out = {}
    for key in META_KEYS:
        if key not in value:
            raise TypeError(f"gutenberg_metadata's dict has no {key!r}; expected the keys {list(META_KEYS)} "
                            "(use None for a field that is not in the header)")
        v = value[key]
        if key == "ebook_number":
            if v is not None and (isinstance(v, bool) or not isinstance(v, numbers.Integral)):
                raise TypeError(f"'ebook_number' must be an int or None, got {v!r}")
            out[key] = None if v is None else int(v)
        else:
            if v is not None and not isinstance(v, str):
                raise TypeError(f"{key!r} must be a str or None, got {v!r}")
            out[key] = v
    return out


def _pages(value):
    if not isinstance(value, list):
        raise TypeError(f"parse_wiki_dump must return a list of dicts, got {type(value).__name__}")
    out = []
    for page in value:
        if not isinstance(page, dict) or set(page) < {"id", "title", "wikitext"}:
            raise TypeError(f"each page must be a dict with keys 'id', 'title', 'wikitext'; got {page!r:.120}")
        if isinstance(page["id"], bool) or not isinstance(page["id"], numbers.Integral):
            raise TypeError(f"a page's 'id' must be an int (the <id> of the <page>), got {page['id']!r}")
        if not isinstance(page["title"], str) or not isinstance(page["wikitext"], str):
            raise TypeError("a page's 'title' and 'wikitext' must be strings")
        out.append({"id": int(page["id"]), "title": page["title"], "wikitext": page["wikitext"]})
    return out


TWEET_KEYS = ("id", "user", "text", "hashtags", "mentions", "is_retweet")


def _tweets(value):
    if not isinstance(value, dict) or "tweets" not in value or "malformed" not in value:
        raise TypeError("parse_tweets must return a dict {'tweets': [...], 'malformed': [...]}")
    tweets, malformed = value["tweets"], value["malformed"]
    if not isinstance(tweets, list) or not isinstance(malformed, list):
        raise TypeError("'tweets' and 'malformed' must both be lists")
    out = []
    for t in tweets:
        if not isinstance(t, dict) or any(k not in t for k in TWEET_KEYS):
            raise TypeError(f"each tweet must be a dict with the keys {list(TWEET_KEYS)}; got {t!r:.150}")
        if not all(isinstance(t[k], str) for k in ("id", "user", "text")):
            raise TypeError("a tweet's 'id', 'user' and 'text' must be strings")
        if not isinstance(t["hashtags"], list) or not isinstance(t["mentions"], list):
            raise TypeError("a tweet's 'hashtags' and 'mentions' must be lists of strings")
        if not isinstance(t["is_retweet"], bool):
            raise TypeError(f"'is_retweet' must be True or False, got {t['is_retweet']!r}")
        out.append({k: t[k] for k in TWEET_KEYS})
    for n in malformed:
        if isinstance(n, bool) or not isinstance(n, numbers.Integral):
            raise TypeError(f"'malformed' must hold 1-based line numbers (ints), got {n!r}")
    return {"tweets": out, "malformed": [int(n) for n in malformed]}


def _read(ctx, *parts):
    return read_text(ctx, *parts, keep_newlines=True)  # Project Gutenberg files use \r\n


def _file_or_generated(ctx, name, path, shown_as, generate):
    """The input of case `name`: the data file `path` on the visible seed (shown as `shown_as`), or
    generate(case_rng) on a hidden seed."""
    if not ctx.visible:
        return generate(case_rng(ctx, name))
    value = _read(ctx, *path.split("/"))
    ctx.show(file=f"data/{path}", **{shown_as: value})
    return value


# ----------------------------------------------------------------------------- shared word banks

ADJ = ["Silent", "Northern", "Lost", "Golden", "Winter", "Hidden", "Distant", "Quiet"]
NOUN = ["Harbour", "Orchard", "Lantern", "Valley", "Voyage", "Garden", "Bell", "Island"]
AUTHORS = ["Margaret Ashdown", "J. Kerr", "Thomas Whitby", "Ellen Dale", "Samuel Hale", "Anne Penrose"]
MONTHS = ["January", "March", "June", "September", "October", "December"]
LANGS = ["English", "French", "German", "Finnish"]
SENTENCES = [
    "The wind came round to the north before dawn.", "Nobody in the village had seen such a tide.",
    "She kept the letters in a tin box under the bed.", "It was four miles to the market by the cliff path.",
    "The bell rang twice, and then the lamp went out.", "He said nothing, but he folded the map with care.",
    "There were bees in the orchard and gulls on the roof.", "By noon the square was full of carts and cattle.",
]
WORDS = ["harbour", "keeper", "lamp", "market", "honey", "tower", "gale", "village", "orchard", "letter",
         "cheese", "cliff", "bell", "ship", "bay", "wool"]
TARGETS = ["Gull Point", "Fresnel lens", "Honey bee", "Aldermoor", "Fog bell", "Westmarch", "Lighthouse"]


def _paragraph(rng, n=None):
    return " ".join(rng.choice(SENTENCES) for _ in range(n or rng.randint(2, 4)))


def _wrap(text, width=70):
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return lines + [line]


# ----------------------------------------------------------------------------- Gutenberg generator


def gutenberg_book(rng, modern=None, legacy_marker=False, style=None, traps=False):
    """A generated book. `style` forces the marker ("THIS", "compact") of an older book; `traps` puts every
    trap in: a body line that looks like a header field, both kinds of '***' divider, an 'End of the
    Project Gutenberg' line, \r\n line endings and a byte-order mark."""
    title = f"The {rng.choice(ADJ)} {rng.choice(NOUN)}"
    author = rng.choice(AUTHORS) if rng.random() < 0.85 else None
    number = rng.randint(1000, 75000)
    modern = rng.random() < 0.5 if modern is None else modern
    if modern:
        lines = [f"The Project Gutenberg eBook of {title}", "",
                 "This ebook is for the use of anyone anywhere in the United States and",
                 "most other parts of the world at no cost and with almost no restrictions", "whatsoever.", ""]
    else:
        lines = [f"The Project Gutenberg EBook of {title}" + (f", by {author}" if author else ""), "",
                 "This eBook is for the use of anyone anywhere at no cost and with",
                 "almost no restrictions whatsoever.", "", ""]
    lines += [f"Title: {title}", ""] + ([f"Author: {author}", ""] if author else [])
    if modern:
        date = f"{rng.choice(MONTHS)} {rng.randint(1, 28)}, {rng.randint(2015, 2024)}"
        lines += [f"Release date: {date} [eBook #{number}]"]
        if rng.random() < 0.5:
            lines += [f"                Most recently updated: {rng.choice(MONTHS)} 2, 2025"]
        lines += [""]
    else:
        date = f"{rng.choice(MONTHS)}, {rng.randint(1994, 2009)}"
        kind = rng.choice(["EBook", "Etext", "eBook"])
        lines += [f"Release Date: {date} [{kind} #{number}]", ""]
    if rng.random() < 0.8:
        lines += [f"Language: {rng.choice(LANGS)}", ""]
    if not modern and rng.random() < 0.5:
        lines += ["Character set encoding: ASCII", ""]
    upper = title.upper()
    start_style = rng.choice(["THIS", "compact"] if legacy_marker else ["THE", "THIS", "compact"])
    start_style = "THE" if modern else (style or start_style)
    if start_style == "compact":
        start, end = (f"***START OF THE PROJECT GUTENBERG EBOOK {upper}***",
                      f"***END OF THE PROJECT GUTENBERG EBOOK {upper}***")
    else:
        start, end = (f"*** START OF {start_style} PROJECT GUTENBERG EBOOK {upper} ***",
                      f"*** END OF {start_style} PROJECT GUTENBERG EBOOK {upper} ***")
    lines += ["", start, "", "", ""]
    if not modern and rng.random() < 0.5:
        lines += ["Produced by volunteers", "", ""]
    lines += [" " * rng.randint(8, 24) + upper, ""]
    if author:
        lines += [" " * rng.randint(8, 24) + "BY " + author.upper(), ""]
    lines += ["", ""]
    if traps or rng.random() < 0.4:  # a body line that looks like a header field (metadata is read from the header only)
        lines += ["Language: the speech of the fishermen is kept as it was spoken.", ""]
    for chapter in range(1, rng.randint(2, 4) + 1):
        lines += [f"CHAPTER {chapter}.", ""]
        for _ in range(rng.randint(1, 3)):
            lines += _wrap(_paragraph(rng)) + [""]
        if traps:
            lines += [["***", "                *       *       *       *       *"][chapter % 2], ""]
        elif rng.random() < 0.5:
            lines += [rng.choice(["***", "                *       *       *       *       *"]), ""]
    lines += ["", ""]
    if not modern and (traps or rng.random() < 0.7):
        lines += [rng.choice([f"End of the Project Gutenberg EBook of {title}" + (f", by {author}" if author else ""),
                              f"End of Project Gutenberg's {title}" + (f", by {author}" if author else "")]), ""]
    lines += [end, "", "", "Updated editions will replace the previous one--the old editions will",
              "be renamed.", "", "START: FULL LICENSE", "", "THE FULL PROJECT GUTENBERG LICENSE"]
    text = ("\r\n" if traps or rng.random() < 0.6 else "\n").join(lines) + "\n"
    return ("\ufeff" if traps or rng.random() < 0.4 else "") + text


# ----------------------------------------------------------------------------- wikitext generator


def _deco_word(rng):
    w = rng.choice(WORDS)
    r = rng.random()
    if r < 0.15:
        return f"[[{rng.choice(TARGETS)}]]"
    if r < 0.27:
        return f"[[{rng.choice(TARGETS)}|{w}]]"
    if r < 0.32:
        return f"[[{w}]]s"
    if r < 0.40:
        return rng.choice([f"'''{w}'''", f"''{w}''", f"'''''{w}'''''"])
    if r < 0.44:
        return rng.choice([f"{w}&nbsp;{rng.randint(2, 99)}", f"{w} &amp; {rng.choice(WORDS)}", f"{w}&ndash;{w}"])
    if r < 0.48:
        return f"<small>{w}</small>"
    if r < 0.51:
        return f"{w}<sup>{rng.randint(2, 3)}</sup>"
    return w


def _inline_extra(rng):
    target = rng.choice(TARGETS)
    return rng.choice([
        f"<ref>{rng.choice(AUTHORS)}, ''{rng.choice(ADJ)} {rng.choice(NOUN)}'' ({rng.randint(1850, 1950)}), p.&nbsp;{rng.randint(1, 300)}.</ref>",
        f"<ref name=\"{rng.choice(WORDS)}\">{{{{cite book |last={rng.choice(WORDS)} |title={{{{lang|en|{rng.choice(NOUN)}}}}} |year={rng.randint(1850, 1950)}}}}}</ref>",
        f"<ref name=\"{rng.choice(WORDS)}\" />",
        f"{{{{citation needed|date={rng.choice(MONTHS)} {rng.randint(2010, 2024)}}}}}",
        f"{{{{sfn|{rng.choice(WORDS)}|{rng.randint(1850, 1950)}|p={rng.randint(1, 99)}}}}}",
        f"<!-- check [[{target}]] against the {rng.choice(WORDS)} -->",
        f" [https://example.org/{rng.choice(WORDS)} the {rng.choice(WORDS)} page]",
        f" [https://example.org/{rng.randint(1, 999)}]",
        f" {{{{convert|{rng.randint(2, 90)}|m|ft|abbr=on}}}}",
    ])


def _wiki_sentence(rng):
    words = [_deco_word(rng) for _ in range(rng.randint(4, 10))]
    text = " ".join(words)
    text = text[0].upper() + text[1:] if text[0].isalpha() else text
    if rng.random() < 0.5:
        text += _inline_extra(rng)
    text += "."
    if rng.random() < 0.3:
        text += _inline_extra(rng)
    return text


def _trap_paragraph(rng):
    """Every construct of the README's 14 steps at once, including escaped markup: '&lt;b&gt;', '&#39;&#39;'
    and '&#91;&#91;' are plain text that steps 7-11 must not see, so they survive only when entities are
    unescaped last (step 13)."""
    w, t = rng.choice(WORDS), rng.choice(TARGETS)
    return (f"The {w} sign read &lt;b&gt;{rng.choice(WORDS)}&lt;/b&gt; and &#39;&#39;{rng.choice(WORDS)}&#39;&#39; "
            f"beside &#91;&#91;{t}&#93;&#93; {w}&amp;lt;3."
            f"<ref name=\"{w}\">{{{{cite web |title={{{{lang|en|{rng.choice(NOUN)}}}}} }}}}</ref><ref name=\"{w}\" />"
            f" Lit by [[{t}|the {w}]] in {{{{convert|{rng.randint(2, 90)}|m|ft|{{{{nowrap|abbr=on}}}}}}}}"
            f"<!-- [[{t}]] --> [https://example.org/{w} the {w} page] [https://example.org/{rng.randint(1, 99)}]"
            f" '''{w}'''[[{w}]]s&nbsp;{rng.randint(2, 99)}<sup>2</sup>.\n"
            f"[[File:{rng.choice(NOUN)}.jpg|thumb|A [[{t}|{w}]] in ''{w}'']]\n* {w} &ndash; {t}")


def wikitext(rng, sections=None, infobox=None, traps=False):
    out = []
    if rng.random() < 0.5:
        out.append(f"{{{{Short description|{rng.choice(ADJ)} {rng.choice(NOUN).lower()}}}}}")
    if (rng.random() < 0.6) if infobox is None else infobox:
        out += ["{{Infobox place", f"| name = {rng.choice(TARGETS)}",
                f"| caption = The [[{rng.choice(TARGETS)}]] in {rng.randint(1850, 1950)}",
                f"| height = {{{{convert|{rng.randint(5, 50)}|m|ft}}}}", "}}"]
    if rng.random() < 0.3:
        out.append(rng.choice(["__NOTOC__", "__TOC__"]))
    out.append(" ".join(_wiki_sentence(rng) for _ in range(rng.randint(1, 3))))
    for _ in range(sections if sections is not None else rng.randint(1, 3)):
        level = rng.choice(["==", "==", "==="])
        out += ["", f"{level} {rng.choice(ADJ)} {rng.choice(NOUN).lower()} {level}"]
        if rng.random() < 0.35:
            caption = f"A ''{rng.choice(WORDS)}'' near the [[{rng.choice(TARGETS)}|{rng.choice(WORDS)}]]"
            out.append(f"[[{rng.choice(['File', 'Image', 'file'])}:{rng.choice(NOUN)} {rng.randint(1, 9)}.jpg|thumb|{caption}]]")
        if rng.random() < 0.3:
            out.append(f"{{{{Main|{rng.choice(TARGETS)}}}}}")
        out.append(" ".join(_wiki_sentence(rng) for _ in range(rng.randint(1, 3))))
        if rng.random() < 0.4:
            bullet = rng.choice(["*", "#", "**"])
            out += [f"{bullet} {_wiki_sentence(rng)}" for _ in range(rng.randint(2, 3))]
    if rng.random() < 0.5:
        out += ["", "== References ==", "{{Reflist}}"]
    if traps:
        out += ["", "== Notes ==", _trap_paragraph(rng)]
    out.append("")
    out += [f"[[Category:{rng.choice(ADJ)} {rng.choice(NOUN).lower()}s]]" for _ in range(rng.randint(0, 2))]
    return "\n".join(out)


# ----------------------------------------------------------------------------- MediaWiki dump generator


def wiki_dump(rng):
    version = rng.choice(["0.10", "0.11"])
    xmlns = f"http://www.mediawiki.org/xml/export-{version}/"
    lines = [f'<mediawiki xmlns="{xmlns}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
             f'xsi:schemaLocation="{xmlns} http://www.mediawiki.org/xml/export-{version}.xsd" '
             f'version="{version}" xml:lang="en">',
             "  <siteinfo>", "    <sitename>Wikipedia</sitename>", "    <dbname>enwiki</dbname>",
             "    <namespaces>", '      <namespace key="0" case="first-letter" />',
             '      <namespace key="1" case="first-letter">Talk</namespace>', "    </namespaces>", "  </siteinfo>"]
    kinds = ["article", "article_history", "redirect", "talk", "template", "category", "empty"] + [
        rng.choice(["article", "article", "redirect", "article_history"]) for _ in range(rng.randint(0, 2))]
    rng.shuffle(kinds)
    page_id = rng.randint(1000, 90000)
    for kind in kinds:
        page_id += rng.randint(1, 500)
        base = f"{rng.choice(ADJ)} {rng.choice(NOUN)}" + rng.choice(["", "", " & Sons", " (1890)"])
        ns, title, redirect = 0, base, None
        if kind == "talk":
            ns, title = 1, f"Talk:{base}"
        elif kind == "template":
            ns, title = 10, f"Template:Infobox {base.lower()}"
        elif kind == "category":
            ns, title = 14, f"Category:{base}"
        elif kind == "redirect":
            redirect = rng.choice(TARGETS)
        lines += ["  <page>", f"    <title>{escape(title)}</title>", f"    <ns>{ns}</ns>", f"    <id>{page_id}</id>"]
        if redirect:
            lines.append(f"    <redirect title={quoteattr(redirect)} />")
        n_revisions = rng.randint(2, 3) if kind == "article_history" else 1
        rev_id = rng.randint(10**8, 10**9)
        for r in range(n_revisions):
            rev_id += rng.randint(1, 10**6)
            if redirect:
                text = f"#REDIRECT [[{redirect}]]\n\n{{{{R from alternative name}}}}"
            elif kind == "empty":
                text = ""
            else:
                text = wikitext(rng, sections=(0 if r < n_revisions - 1 else None))
            lines += ["    <revision>", f"      <id>{rev_id}</id>",
                      f"      <timestamp>20{rng.randint(10, 24)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}T12:00:00Z</timestamp>"]
            if rng.random() < 0.7:
                lines += ["      <contributor>", f"        <username>{rng.choice(AUTHORS)}</username>",
                          f"        <id>{rng.randint(1, 10**7)}</id>", "      </contributor>"]
            else:
                lines += ["      <contributor>", f"        <ip>192.0.2.{rng.randint(1, 254)}</ip>", "      </contributor>"]
            lines += ["      <model>wikitext</model>", "      <format>text/x-wiki</format>"]
            if text:
                lines.append(f'      <text bytes="{len(text.encode())}" xml:space="preserve">{escape(text)}</text>')
            else:
                lines.append('      <text bytes="0" xml:space="preserve" />')
            lines += ["      <sha1>phoiac9h4m842xq45sp7s6u21eteeq1</sha1>", "    </revision>"]
        lines.append("  </page>")
    lines.append("</mediawiki>")
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- tweet stream generator

HANDLES = ["TomAvery", "DrMoss", "gullpointlight", "aldermoor_market", "Cousin_Ellen", "ProfWhitby", "beekeeper1901"]
TAGS = ["GullPoint", "bees", "Bees", "Aldermoor", "market", "fog", "2024goals", "WaggleDance", "honey"]


def _tweet_text(rng):
    parts = []
    for _ in range(rng.randint(4, 9)):
        r = rng.random()
        if r < 0.2:
            parts.append("#" + rng.choice(TAGS))
        elif r < 0.32:
            parts.append("@" + rng.choice(HANDLES))
        elif r < 0.36:
            parts.append(rng.choice(["ellen@example.org", "#1", "@", "C#", "#" + str(rng.randint(2, 99)),
                                     "(#fog)", "@DrMoss's", "&amp;", "&lt;3", "x&gt;y"]))
        else:
            parts.append(rng.choice(WORDS))
    return " ".join(parts)


def _status(rng, tweet_id, text=None):
    handle = rng.choice(HANDLES)
    return {"created_at": "Sat Mar 09 10:15:00 +0000 2024", "id": tweet_id, "id_str": str(tweet_id),
            "text": text if text is not None else _tweet_text(rng), "truncated": False,
            "user": {"id": rng.randint(1, 10**6), "screen_name": handle, "name": handle.title()},
            "entities": {"hashtags": [], "user_mentions": []}, "lang": "en"}


def tweets_jsonl(rng):
    tweet_id = rng.randint(10**18, 2 * 10**18)
    kinds = ["plain", "extended", "full_text", "retweet", "delete", "limit", "broken", "not_object", "no_user",
             "blank", "traps"] + [rng.choice(["plain", "plain", "extended", "retweet", "broken"])
                                  for _ in range(rng.randint(0, 3))]
    rng.shuffle(kinds)
    kinds.append("duplicate")
    lines, emitted = [], []
    for kind in kinds:
        tweet_id += rng.randint(1, 1000)
        if kind == "plain":
            obj = _status(rng, tweet_id)
        elif kind == "traps":  # look-alike hashtags and mentions, entities
            obj = _status(rng, tweet_id, text=f"#{rng.choice(TAGS)} ellen@example.org #{rng.randint(2, 99)} C# (#fog) "
                                              f"@DrMoss's &lt;3 x&gt;y &amp; #{rng.choice(TAGS).upper()} @@{rng.choice(HANDLES)}")
        elif kind == "extended":
            full = _tweet_text(rng) + " " + _tweet_text(rng)
            obj = _status(rng, tweet_id, text=full[:40] + "\u2026 https://t.co/x1")
            obj["truncated"] = True
            obj["extended_tweet"] = {"full_text": full, "display_text_range": [0, len(full)]}
        elif kind == "full_text":
            obj = _status(rng, tweet_id)
            obj["full_text"] = obj.pop("text") + " " + _tweet_text(rng)
        elif kind == "retweet":
            original = _status(rng, tweet_id - 1)
            if rng.random() < 0.5:
                full = original["text"] + " " + _tweet_text(rng)
                original["extended_tweet"] = {"full_text": full}
            obj = _status(rng, tweet_id, text=f"RT @{original['user']['screen_name']}: {original['text'][:50]}\u2026")
            obj["retweeted_status"] = original
        elif kind == "delete":
            lines.append(json.dumps({"delete": {"status": {"id": tweet_id, "id_str": str(tweet_id)}}}))
            continue
        elif kind == "limit":
            lines.append(json.dumps({"limit": {"track": rng.randint(1, 99)}}))
            continue
        elif kind == "broken":
            full = json.dumps(_status(rng, tweet_id))
            lines.append(full[: rng.randint(20, len(full) - 5)])
            continue
        elif kind == "not_object":
            lines.append(rng.choice(["[1, 2, 3]", "\"just a string\"", "42", "null", "not json at all"]))
            continue
        elif kind == "no_user":
            obj = _status(rng, tweet_id)
            del obj["user"]
        elif kind == "duplicate":
            if emitted:
                lines.append(rng.choice(emitted))
            continue
        else:  # blank
            lines.append(rng.choice(["", "   "]))
            continue
        line = json.dumps(obj, ensure_ascii=rng.random() < 0.5)
        emitted.append(line)
        lines.append(line)
    endings = rng.choice(["\n", "\r\n"])
    return endings.join(lines) + endings


# ----------------------------------------------------------------------------- cases

NO_MARKERS = "Title: A Book Without Markers\n\nJust some text that was saved without the header.\n"


@case
def strip_gutenberg(student, ctx):
    if ctx.visible:
        books = {name: _read(ctx, "gutenberg", name) for name in ("pg_keeper.txt", "pg_bees_1901.txt")}
        ctx.show(files="data/gutenberg/pg_keeper.txt, data/gutenberg/pg_bees_1901.txt",
                 pg_bees_1901_txt=books["pg_bees_1901.txt"])
    else:
        rng = case_rng(ctx, "strip_gutenberg")
        books = {"book_0": gutenberg_book(rng, False, style="THIS", traps=True),
                 "book_1": gutenberg_book(rng, True, traps=True),
                 "book_2": gutenberg_book(rng, False, style="compact", traps=True), "book_3": gutenberg_book(rng)}
    out = {name: _text(student.strip_gutenberg(raw), "strip_gutenberg") for name, raw in books.items()}
    if not ctx.visible:
        try:
            student.strip_gutenberg(NO_MARKERS)
            out["no_markers"] = "returned without raising"
        except ValueError:
            out["no_markers"] = "ValueError"
    return out


@case
def gutenberg_metadata(student, ctx):
    if ctx.visible:
        books = {name: _read(ctx, "gutenberg", name) for name in ("pg_keeper.txt", "pg_bees_1901.txt")}
        ctx.show(files="data/gutenberg/pg_keeper.txt, data/gutenberg/pg_bees_1901.txt")
    else:
        rng = case_rng(ctx, "gutenberg_metadata")
        books = {f"book_{i}": gutenberg_book(rng, modern=i % 2 == 0, traps=i < 2) for i in range(4)}
    return {name: _metadata(student.gutenberg_metadata(raw)) for name, raw in books.items()}


@case
def parse_wiki_dump(student, ctx):
    xml = _file_or_generated(ctx, "parse_wiki_dump", "wiki/enwiki-excerpt.xml", "xml", wiki_dump)
    return _pages(student.parse_wiki_dump(xml))


@case
def wikitext_to_plain(student, ctx):
    if ctx.visible:
        texts = [_read(ctx, "wiki", "gull_point_light.wikitext")]
        ctx.show(file="data/wiki/gull_point_light.wikitext", wikitext=texts[0])
    else:
        rng = case_rng(ctx, "wikitext_to_plain")
        texts = [wikitext(rng, infobox=True, traps=True), wikitext(rng), wikitext(rng)]
    return [_text(student.wikitext_to_plain(t), "wikitext_to_plain") for t in texts]


@case
def parse_tweets(student, ctx):
    stream = _file_or_generated(ctx, "parse_tweets", "tweets/tweets.jsonl", "jsonl", tweets_jsonl)
    return _tweets(student.parse_tweets(stream))
