"""Lab 3 harness: runs inside the sandbox. Visible cases use data/html/ and fixed strings; hidden cases
generate scraped-looking pages and messy strings from the seed. No expected values here."""
from __future__ import annotations

from labkit.data import case_rng, read_text
from labkit.harness import case
from labkit.returns import text


_text = text


def _read(ctx, name):
    return read_text(ctx, "html", name)


def sloppy_decode(data: bytes) -> str:
    """How a browser shows UTF-8 bytes it believes are windows-1252 (this is how mojibake is made)."""
    out = []
    for b in data:
        try:
            out.append(bytes([b]).decode("cp1252"))
        except UnicodeDecodeError:
            out.append(chr(b))
    return "".join(out)


# ----------------------------------------------------------------------------- word banks

WORDS = ["harbour", "keeper", "lamp", "market", "honey", "tower", "gale", "village", "orchard", "letter",
         "cheese", "cliff", "bell", "ship", "bay", "wool", "storm", "queen", "swarm", "lens"]
ACCENTED = ["café", "naïve", "fête", "señor", "Zürich", "déjà", "crème", "façade", "Ærø", "smörgås"]
FANCY = ["“quoted”", "it’s", "‘single’", "«guillemets»", "em—dash", "en–dash", "€5", "50°C", "🐝", "…"]
ENTITIES = ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "&#8217;", "&#x2014;", "&hellip;", "&copy;", "&eacute;",
            "&rsquo;", "&ldquo;", "&rdquo;", "&ndash;", "&middot;"]
# UTF-8 of these has no 0x85/0xA0 byte, so their mojibake survives whitespace handling in HTML
HTML_MOJIBAKE = ["café", "naïve", "fête", "Zürich", "crème", "it’s", "“fine”", "€5", "em—dash", "señor"]
INLINE = ["a", "em", "strong", "span", "b", "i", "code", "small", "mark"]


def _sentence(rng, n=None, fancy=True):
    words = [rng.choice(WORDS) for _ in range(n or rng.randint(4, 9))]
    if fancy:
        for _ in range(rng.randint(0, 2)):
            words.insert(rng.randrange(len(words) + 1), rng.choice(ACCENTED + FANCY))
    text = " ".join(words)
    return text[0].upper() + text[1:] + rng.choice([".", "!", "?", "."])


def _ws(rng):
    return rng.choice([" ", " ", "  ", "\n", "\n    ", "\t", "&nbsp;"])


# ----------------------------------------------------------------------------- HTML generator


def _inline_html(rng):
    words = [rng.choice(WORDS) for _ in range(rng.randint(5, 12))]
    pieces = []
    for w in words:
        r = rng.random()
        if r < 0.15:
            tag = rng.choice(INLINE)
            attr = rng.choice(["", ' class="x"', ' title="a &gt; b"', " data-v='1>0'", ' href="/p?a=1&amp;b=2"'])
            tag_name = tag.upper() if rng.random() < 0.2 else tag
            pieces.append(f"<{tag_name}{attr}>{w}</{tag_name}>")
        elif r < 0.25:
            pieces.append(rng.choice(ENTITIES) + w)
        elif r < 0.3:
            pieces.append(w + "<!-- note: <b>not text</b> -->")
        elif r < 0.35:
            pieces.append(rng.choice(ACCENTED + FANCY))
        else:
            pieces.append(w)
    out = pieces[0]
    for p in pieces[1:]:
        out += _ws(rng) + p
    return out


def _block(rng, nested_skip=False):
    kind = rng.choice(["p", "p", "p", "h", "ul", "table", "br", "div", "skip", "quote"])
    if nested_skip:
        kind = "nested_skip"
    if kind == "p":
        tag = rng.choice(["p", "P"])
        return f"<{tag}>{_inline_html(rng)}</{tag}>"
    if kind == "h":
        level = rng.randint(1, 4)
        return f"<h{level}>{_inline_html(rng)}</h{level}>"
    if kind == "ul":
        items = "".join(f"<li>{_inline_html(rng)}</li>{_ws(rng) if rng.random() < 0.5 else ''}"
                        for _ in range(rng.randint(2, 4)))
        tag = rng.choice(["ul", "ol"])
        return f"<{tag}>{items}</{tag}>"
    if kind == "table":
        rows = "".join("<tr>" + "".join(f"<{cell}>{rng.choice(WORDS)}</{cell}>"
                                        for cell in ["th"] + ["td"] * rng.randint(1, 3)) + "</tr>\n"
                       for _ in range(rng.randint(2, 3)))
        return f"<table>\n{rows}</table>"
    if kind == "br":
        br = rng.choice(["<br>", "<br/>", "<BR />"])
        return f"<p>{_inline_html(rng)}{br}{_inline_html(rng)}</p>"
    if kind == "div":
        return f"<div class=\"c\">{_inline_html(rng)}<span> {rng.choice(WORDS)}</span></div>"
    if kind == "skip":
        return rng.choice([
            f"<script>var s = \"<p>{rng.choice(WORDS)}</p>\"; if (a < b) {{ go(); }}</script>",
            f"<style>p > a {{ color: red; }} /* <div>{rng.choice(WORDS)}</div> */</style>",
            f"<noscript><p>Enable JavaScript, {rng.choice(WORDS)}!</p></noscript>",
            f"<template><li>{rng.choice(WORDS)}</li></template>",
            f"<svg width=\"10\"><text x=\"0\">{rng.choice(WORDS)}</text></svg>",
        ])
    if kind == "nested_skip":
        return (f"<noscript><style>.a{{b:c}}</style><p>Please enable scripts for the {rng.choice(WORDS)} "
                f"map.</p></noscript>")
    return f"<blockquote>{_inline_html(rng)}</blockquote>"


def html_page(rng, nested_skip=False, mojibake=False):
    title = " ".join(rng.choice(WORDS) for _ in range(3)).title()
    head = [f"<title>{title} {rng.choice(['&ndash;', '|', '&middot;'])} Site</title>",
            '<meta charset="utf-8">',
            f"<style>body {{ margin: 0 }} /* <p>{rng.choice(WORDS)}</p> */</style>",
            "<script>if (x < 3 && y > 2) { document.write(\"<div>ad</div>\"); }</script>"]
    rng.shuffle(head)
    body = []
    if rng.random() < 0.6:
        body.append("<nav><ul>" + "".join(f"<li><a href=\"/{w}\">{w.title()}</a></li>"
                                          for w in rng.sample(WORDS, 3)) + "</ul></nav>")
    blocks = [_block(rng) for _ in range(rng.randint(3, 7))]
    if nested_skip:
        blocks.insert(rng.randrange(len(blocks) + 1), _block(rng, nested_skip=True))
    if mojibake:
        good = " ".join(rng.choice(HTML_MOJIBAKE) for _ in range(3))
        blocks.insert(rng.randrange(len(blocks) + 1), f"<p>{sloppy_decode(good.encode('utf-8'))}</p>")
    body += blocks
    if rng.random() < 0.5:
        body.append("<footer><p>&copy; 2024 " + rng.choice(WORDS) + "</p></footer>")
    sep = rng.choice(["\n", "", "\n  "])
    doctype = rng.choice(["<!DOCTYPE html>\n", "<!doctype html>", ""])
    return (f"{doctype}<html><head>{sep.join(head)}</head>{sep}<body>{sep}"
            + sep.join(body) + f"{sep}</body></html>")


# ----------------------------------------------------------------------------- string generators

MOJIBAKE_SAFE = ["café", "naïve", "fête", "señor", "Zürich", "déjà vu", "crème brûlée", "it’s", "“quoted”",
                 "€5", "em—dash", "Ærø", "Ålesund", "smörgås", "Ángel", "Łódź", "🐝 bees", "Straße"]


def mojibake_lines(rng):
    lines = []
    for _ in range(rng.randint(6, 10)):
        words = [rng.choice(WORDS) for _ in range(rng.randint(2, 5))]
        words.insert(rng.randrange(len(words) + 1), rng.choice(MOJIBAKE_SAFE))
        line = " ".join(words)
        kind = rng.random()
        if kind < 0.45:
            line = sloppy_decode(line.encode("utf-8"))          # broken: must be repaired
        elif kind < 0.55:
            line = " ".join(rng.choice(WORDS) for _ in range(4))  # plain ASCII
        elif kind < 0.65:
            line = sloppy_decode(line.encode("utf-8")) + " " + rng.choice(["café", "—", "🐝"])  # mixed: unfixable
        lines.append(line)                                        # else: correct non-ASCII, must stay
    lines[0] = sloppy_decode(("“" + rng.choice(WORDS) + "” it’s " + rng.choice(ACCENTED)).encode("utf-8"))
    return "\n".join(lines)


UNICODE_SPECIALS = [
    "\ufb01", "\ufb02", "\ufb00", "\ufb03",                     # ligatures fi fl ff ffi
    "\uff21\uff22\uff23", "\uff11\uff12", "\uff01",             # fullwidth ABC, 12, !
    "\u00b2", "\u00b3", "\u2460", "\u2167", "\u212b", "\u212a", "\u017f", "\u00b5",
    "\u2018", "\u2019", "\u201a", "\u201c", "\u201d", "\u201e", "\u00ab", "\u00bb", "\u2032", "\u2033",
    "\u2010", "\u2011", "\u2013", "\u2014", "\u2015", "\u2212", "\u2026",
    "\u00a0", "\u202f", "\u3000", "\u2003",
    "\u200b", "\u200c", "\u200d", "\u00ad", "\ufeff", "\u200e", "\u200f", "\u2060",
    "\x00", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\x9d",
    "\r\n", "\r", "\t", "\n",
    "e\u0301", "A\u030a", "n\u0303", "\U0001f41d", "\u00e9", "\u00f1",
]


def unicode_mess(rng):
    parts = []
    for _ in range(rng.randint(25, 40)):
        parts.append(rng.choice(UNICODE_SPECIALS) if rng.random() < 0.45 else rng.choice(WORDS))
        parts.append(rng.choice([" ", "", " "]))
    return "".join(parts)


WHITESPACE_PIECES = [" ", "  ", "   ", "\t", "\t\t", "\u00a0", "\u202f", "\u3000", "\u2003", "\u2009",
                     "\n", "\n\n", "\n\n\n\n", "\n \n", "\r\n", "\r", "\u2028", "\u2029", " \n\t \n"]


def whitespace_mess(rng):
    parts = [rng.choice(["", " ", "\n\n", "\t "])]
    for _ in range(rng.randint(15, 30)):
        parts.append(rng.choice(WORDS) if rng.random() < 0.6 else rng.choice(WHITESPACE_PIECES))
        if rng.random() < 0.5:
            parts.append(" ")
    parts.append(rng.choice(["", " ", "\n", "\n\n  "]))
    return "".join(parts)


def corpus(rng):
    docs = [html_page(rng, mojibake=rng.random() < 0.4) for _ in range(rng.randint(4, 6))]
    # exact duplicate, and a re-formatted duplicate (different markup and spacing, same text)
    docs.append(rng.choice(docs))
    original = rng.choice(docs)
    variant = (original.replace("<p>", "<p>\n   ", 1).replace("<head>", "<head><script>track();</script>", 1)
               .replace("</body>", "<!-- cached copy --></body>"))
    docs.append(variant)
    # pages with too little text
    docs.append(f"<html><body><h1>{rng.choice(WORDS)}</h1><script>{' '.join(WORDS)}</script></body></html>")
    docs.append(f"<p>{rng.choice(WORDS)} {rng.choice(WORDS)} &amp; {rng.choice(WORDS)}</p>")
    rng.shuffle(docs)
    return docs


# ----------------------------------------------------------------------------- visible inputs

VISIBLE_MOJIBAKE = "\n".join([
    "The goatâ€™s escape was the talk of the square.",
    "CafÃ© owners say the fÃªte will return.",
    "Mrs. Dale charges â‚¬1.25 a jar, â€œtoo muchâ€\x9d as usual.",
    "This line is already correct: naïve café — fine.",
    "plain ASCII stays as it is",
    "Ã\x81ngel wrote from Ã…lesund.",
])
VISIBLE_UNICODE = ("\ufeffThe \ufb01re in the ＴＯＷＥＲ burned 3\u00bd hours\u200b\u2014\u201cfar too long\u201d, "
                   "said Mr.\u00a0Hale\u2019s son.\r\nCaf\u0065\u0301 pri\u00adces: \u2460 tea, \u2461 cake\u2026\x07\tend")
VISIBLE_WHITESPACE = ("  First\u3000line\t with\u00a0 odd   spaces  \r\n\n\n\n\t\nSecond line\u2028Third line  "
                      "\n \n \nFourth\u2029\u2029\u2029Fifth   \n")
CORPUS_FILES = ["lighthouse_blog.html", "market_news.html", "lighthouse_blog_print.html", "not_found.html",
                "bees_forum.html"]


# ----------------------------------------------------------------------------- cases


@case
def html_to_text(student, ctx):
    rng = case_rng(ctx, "html_to_text")
    if ctx.visible:
        pages = [_read(ctx, "lighthouse_blog.html")]
        ctx.show(file="data/html/lighthouse_blog.html", html=pages[0])
    else:
        pages = [html_page(rng, nested_skip=True), html_page(rng), html_page(rng)]
    return [_text(student.html_to_text(p), "html_to_text") for p in pages]


@case
def fix_mojibake(student, ctx):
    rng = case_rng(ctx, "fix_mojibake")
    text = VISIBLE_MOJIBAKE if ctx.visible else mojibake_lines(rng)
    ctx.show(text=text)
    return _text(student.fix_mojibake(text), "fix_mojibake")


def _messy_strings(student, ctx, function, visible, generate):
    """student.<function> on the visible string, or on three generated ones (shown escaped with ascii(): the
    characters these functions deal with are invisible)."""
    rng = case_rng(ctx, function)
    texts = [visible] if ctx.visible else [generate(rng) for _ in range(3)]
    ctx.show(text=ascii(texts[0]))
    return [_text(getattr(student, function)(t), function) for t in texts]


@case
def normalize_unicode(student, ctx):
    return _messy_strings(student, ctx, "normalize_unicode", VISIBLE_UNICODE, unicode_mess)


@case
def normalize_whitespace(student, ctx):
    return _messy_strings(student, ctx, "normalize_whitespace", VISIBLE_WHITESPACE, whitespace_mess)


@case
def clean_corpus(student, ctx):
    rng = case_rng(ctx, "clean_corpus")
    if ctx.visible:
        docs, min_words = [_read(ctx, name) for name in CORPUS_FILES], 5
        ctx.show(files=", ".join(f"data/html/{n}" for n in CORPUS_FILES), min_words=min_words)
    else:
        docs, min_words = corpus(rng), rng.randint(4, 8)
    result = student.clean_corpus(list(docs), min_words)
    if not isinstance(result, list):
        raise TypeError(f"clean_corpus must return a list of cleaned documents (str), got {type(result).__name__}")
    return [_text(doc, "each document returned by clean_corpus") for doc in result]
