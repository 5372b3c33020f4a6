"""Lab 2 harness: runs inside the sandbox, calls the student's functions on visible (fixed) and hidden
(generated from the seed) inputs, validates the types it gets back and returns plain JSON values.
It never contains expected outputs."""
from __future__ import annotations

import numbers

from labkit.data import case_rng, read_text
from labkit.harness import case
from labkit.returns import str_list

# ----------------------------------------------------------------------------- validation helpers


_str_list = str_list


def _int(value, what):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{what} must be an int, got {value!r} ({type(value).__name__})")
    return int(value)


def _float(value, what):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{what} must be a float, got {value!r} ({type(value).__name__})")
    return float(value)


def _counts(value, what="word_counts"):
    if not isinstance(value, dict):
        raise TypeError(f"{what} must return a dict mapping word -> count, got {type(value).__name__}")
    out = {}
    for key, count in value.items():
        if not isinstance(key, str):
            raise TypeError(f"{what} keys must be words (str), got {key!r}")
        out[key] = _int(count, f"the count of {key!r}")
    return out


def _pairs(value, what="top_k"):
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{what} must return a list of (word, count) tuples, got {type(value).__name__}")
    out = []
    for item in value:
        if not isinstance(item, (list, tuple)) or len(item) != 2 or not isinstance(item[0], str):
            raise TypeError(f"{what} must return (word, count) tuples, but one item is {item!r}")
        out.append([item[0], _int(item[1], f"the count in {item!r}")])
    return out


SUMMARY_KEYS = ("count", "mean", "median", "min", "max", "histogram")


def _summary(value):
    if not isinstance(value, dict):
        raise TypeError(f"length_summary must return a dict, got {type(value).__name__}")
    missing = [k for k in SUMMARY_KEYS if k not in value]
    if missing:
        raise TypeError(f"length_summary's dict is missing the key(s) {missing}; "
                        f"expected exactly {list(SUMMARY_KEYS)}")
    hist = value["histogram"]
    if not isinstance(hist, (list, tuple)):
        raise TypeError(f"'histogram' must be a list of ints, got {type(hist).__name__}")
    return {"count": _int(value["count"], "'count'"), "mean": _float(value["mean"], "'mean'"),
            "median": _float(value["median"], "'median'"), "min": _int(value["min"], "'min'"),
            "max": _int(value["max"], "'max'"),
            "histogram": [_int(h, "each histogram bin") for h in hist]}


# ----------------------------------------------------------------------------- hidden input generators

SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "ben", "dor", "fal", "gim", "hep", "jor",
             "kel", "mur", "pax", "quen", "ril", "tas", "ul", "wen", "yor", "zed"]


def pseudo_word(rng):
    """A made-up word of one to three syllables."""
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 3)))


def pseudo_words(rng, n):
    """n distinct made-up words in random order."""
    words = set()
    while len(words) < n:
        words.add(pseudo_word(rng))
    words = sorted(words)  # a set's own order is not seeded
    rng.shuffle(words)
    return words


def zipf_tokens(rng, vocab_size, n_tokens, exponent):
    vocab = pseudo_words(rng, vocab_size)
    weights = [1.0 / (rank ** exponent) for rank in range(1, vocab_size + 1)]
    return rng.choices(vocab, weights=weights, k=n_tokens)


TOKEN_PIECES = [
    "The", "LIGHT", "harbour", "Café", "naïve", "keeper", "Keeper", "BELL", "sea", "Sea",
    "don't", "It's", "o'clock", "keeper’s", "can’t", "WON'T", "rock'n'roll",
    "well-known", "twenty-one", "x-ray",
    "3.5", "1,500", "2024", "0.25", "No.7",
    "snake_case", "__init__", "user_id",
    "\"Hello,\"", "'tis", "dogs'", "(maybe)", "[sic]", "e-mail:", "hi@example.org",
    "—", "...", "!", "?", ";", "--", "&", "#1", "50%", "C3PO",
]


def tokenize_text(rng):
    pieces = [rng.choice(TOKEN_PIECES) for _ in range(rng.randint(25, 40))]
    text = ""
    for piece in pieces:
        text += rng.choice([" ", " ", " ", "  ", "\n", "\t", ""]) if text else ""
        text += piece
    return text


PEOPLE = ["Mr. Hale", "Mrs. Dale", "Dr. Moss", "Prof. Whitby", "Ms. Grey", "St. Clair", "J. R. Penrose",
          "Tom Avery", "Old Anna", "Captain Reed"]
COMMON = ["the keeper", "the boy", "a fisherman", "the council", "her cousin", "the old sailor"]
VERBS = ["mended", "carried", "painted", "sold", "found", "lost", "counted", "checked"]
OBJECTS = ["the nets", "a lantern", "three barrels", "the fog bell", "a basket of eggs", "the long rope",
           "two maps", "the boat"]
NUMBERS = ["3.5", "12.75", "1,200", "0.5", "2,000", "99", "4.25"]
QUESTIONS = ["Is it far", "Who is there", "Can you hear the bell", "Where are the nets"]
ORDERS = ["Hold the rope", "Look out", "Ring the bell", "Come back"]
ADJECTIVES = ["cold", "late", "strange", "quiet", "wet", "lucky"]
FIRST_NAMES = ["Tom", "Anna", "Ellen", "Ruth"]
NOUNS = ["tower", "bell", "market", "harbour"]


def _subject(rng, start):
    if rng.random() < 0.5:
        return rng.choice(PEOPLE)
    phrase = rng.choice(COMMON)
    return phrase[0].upper() + phrase[1:] if start else phrase


SENTENCE_TEMPLATES = [  # {S} and {S2} open a sentence, {s} stands inside one
    "{S} {v} {o}.", "{S} paid {num} for {o}.", '"{question}?" asked {s}.', '"{order}!" shouted {s}.',
    "{S} brought tools, e.g. {name}'s hammer and {o}.", "{S} waited... {s} {v} {o}.",
    "{S} waited... {S2} {v} {o}.", "Was it {adj}?! Nobody knew.", "{S} met {person} near St. Anne's church.",
    "The {noun} ({adj} and {adj2}) was empty.", '{S} said: "{order}."', "It cost {num} in {year}.",
    "{S} {v} {o} (it was {adj}).", "({S} {v} {o2}.)", "{S} counted {boxes} boxes, i.e. {share} for each ship.",
    "Why? {S} {v} {o}!",
]


def _sentence(rng):
    fields = dict(S=_subject(rng, True), S2=_subject(rng, True), s=_subject(rng, False), v=rng.choice(VERBS),
                  o=rng.choice(OBJECTS), o2=rng.choice(OBJECTS), adj=rng.choice(ADJECTIVES),
                  adj2=rng.choice(ADJECTIVES), num=rng.choice(NUMBERS), question=rng.choice(QUESTIONS),
                  order=rng.choice(ORDERS), name=rng.choice(FIRST_NAMES), person=rng.choice(PEOPLE),
                  noun=rng.choice(NOUNS), year=rng.randint(1850, 1920), boxes=rng.randint(10, 90),
                  share=rng.randint(2, 9))
    return rng.choice(SENTENCE_TEMPLATES).format(**fields)


def sentence_text(rng):
    paragraphs = []
    for _ in range(rng.randint(4, 6)):
        if rng.random() < 0.25:
            paragraphs.append(rng.choice(["PART ", "Chapter "]) + rng.choice(["I", "II", "IV", "7", "12"]))
        sentences = [_sentence(rng) for _ in range(rng.randint(2, 5))]
        paragraph = sentences[0]
        for sentence in sentences[1:]:
            paragraph += rng.choice([" ", " ", "\n", "  "]) + sentence
        paragraphs.append(rng.choice(["", "", "  "]) + paragraph)
    text = ""
    for paragraph in paragraphs:
        text += (rng.choice(["\n\n", "\n\n\n", "\n  \n"]) if text else "") + paragraph
    return text + rng.choice(["", "\n"])


def tie_heavy_counts(rng):
    words = pseudo_words(rng, rng.randint(14, 24))
    counts = {w: rng.choice([1, 2, 2, 3, 3, 3, 5, 5, 8]) for w in words}
    return counts  # insertion order is random, so first-seen order is not alphabetical order


def lengths_list(rng, n):
    return [rng.randint(0, 40) for _ in range(n)]


# ----------------------------------------------------------------------------- visible inputs

VISIBLE_TOKENIZE = ("\"Don’t panic!\" said Mr. O'Brien — it's 3.5 km to the well-known CAFÉ on "
                    "snake_case Street, isn't it? 'Tis the dogs' bowl.")
VISIBLE_WORDS = "the cat sat on the mat and the dog sat on the cat".split()
VISIBLE_COUNTS = {"tide": 2, "bell": 5, "ship": 3, "lamp": 5, "tower": 2, "gale": 3, "anchor": 3,
                  "rope": 1, "keeper": 5, "bay": 2}
MARKET_LETTER_LENGTHS = [3, 3, 21, 16, 22, 13, 17, 6, 10, 18, 7, 13, 4, 3, 17, 8, 14, 25, 3, 12, 9, 12,
                         9, 4]
VISIBLE_DIVERSITY = ("the cat sat on the mat and the cat ran to the mat where the dog sat and the dog "
                     "saw the cat on the mat").split()
VISIBLE_ZIPF = {"the": 120, "of": 61, "and": 44, "a": 30, "to": 23, "in": 21, "bell": 12, "keeper": 10,
                "ship": 8, "light": 7, "gale": 5, "rope": 4, "bay": 3, "oil": 2, "lens": 1}


# ----------------------------------------------------------------------------- cases


@case
def tokenize(student, ctx):
    text = VISIBLE_TOKENIZE if ctx.visible else tokenize_text(case_rng(ctx, "tokenize"))
    ctx.show(text=text)
    return _str_list(student.tokenize(text), "tokenize")


@case
def word_counts(student, ctx):
    tokens = list(VISIBLE_WORDS) if ctx.visible else zipf_tokens(case_rng(ctx, "word_counts"), 40, 200, 1.0)
    ctx.show(tokens=" ".join(tokens))
    return _counts(student.word_counts(list(tokens)))


@case
def top_k(student, ctx):
    rng = case_rng(ctx, "top_k")
    if ctx.visible:
        inputs = [(dict(VISIBLE_COUNTS), 5)]
    else:
        inputs = [(tie_heavy_counts(rng), rng.randint(3, 12)) for _ in range(3)]
        inputs.append((tie_heavy_counts(rng), 100))  # k larger than the vocabulary
    ctx.show(counts=inputs[0][0], k=inputs[0][1])
    results = [_pairs(student.top_k(dict(counts), k)) for counts, k in inputs]
    return results[0] if ctx.visible else results


@case
def split_sentences(student, ctx):
    if ctx.visible:
        text = read_text(ctx, "texts", "lighthouse.txt")
        ctx.show(file="data/texts/lighthouse.txt", text=text)
    else:
        text = sentence_text(case_rng(ctx, "split_sentences"))
        ctx.show(text=text)
    return _str_list(student.split_sentences(text), "split_sentences")


@case
def length_summary(student, ctx):
    rng = case_rng(ctx, "length_summary")
    if ctx.visible:
        ctx.show(lengths=MARKET_LETTER_LENGTHS, bin_width=5,
                 note="sentence lengths (tokens) of data/texts/market_letter.txt")
        return _summary(student.length_summary(list(MARKET_LETTER_LENGTHS), 5))
    odd = lengths_list(rng, 2 * rng.randint(3, 20) + 1)
    while True:  # an even-sized list whose two middle values differ
        even = lengths_list(rng, 2 * rng.randint(3, 20))
        ordered = sorted(even)
        if ordered[len(even) // 2 - 1] != ordered[len(even) // 2]:
            break
    out = {}
    for name, lengths in (("odd", odd), ("even", even), ("empty", [])):
        width = rng.choice([2, 3, 5, 10])
        out[name] = _summary(student.length_summary(list(lengths), width))
    ctx.show(odd=odd, even=even)
    return out


@case
def lexical_diversity(student, ctx):
    rng = case_rng(ctx, "lexical_diversity")
    if ctx.visible:
        tokens, windows = list(VISIBLE_DIVERSITY), [5, 12]
        ctx.show(tokens=" ".join(tokens), windows=windows)
    else:
        tokens = zipf_tokens(rng, 120, rng.randint(300, 600), 1.0)
        windows = [rng.randint(5, 60), rng.randint(61, 150)]
    out = {"ttr": _float(student.type_token_ratio(list(tokens)), "type_token_ratio's result")}
    for w in windows:
        out[f"mattr_window_{w}"] = _float(student.mattr(list(tokens), w), "mattr's result")
    short = tokens[:7]
    out["mattr_shorter_than_window"] = _float(student.mattr(list(short), 10), "mattr's result")
    out["ttr_empty"] = _float(student.type_token_ratio([]), "type_token_ratio([])")
    return out


@case
def zipf_fit(student, ctx):
    rng = case_rng(ctx, "zipf_fit")
    if ctx.visible:
        counts = dict(VISIBLE_ZIPF)
        ctx.show(counts=counts)
    else:
        tokens = zipf_tokens(rng, rng.randint(150, 300), 6000, rng.uniform(0.8, 1.3))
        counts = {}
        for t in tokens:
            counts[t] = counts.get(t, 0) + 1
    result = student.zipf_fit(dict(counts))
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise TypeError(f"zipf_fit must return a tuple (slope, intercept), got {result!r}")
    return {"slope": _float(result[0], "slope"), "intercept": _float(result[1], "intercept")}
