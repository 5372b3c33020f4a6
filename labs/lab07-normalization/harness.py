"""Lab 7 harness: runs inside the sandbox. Calls the student's Porter stemmer, lemmatizer and normalisation
pipeline on fixed (visible) and generated (hidden) words and texts. No expected values here."""
from __future__ import annotations

from labkit.data import case_rng, read_lines, read_text, read_tsv, read_words
from labkit.harness import case
from labkit.returns import integer, text


def load_resources(ctx):
    return {"irregular": dict(read_tsv(ctx, "irregular.tsv", columns=2)), "lemmas": set(read_words(ctx, "lemmas.txt")),
            "stopwords": frozenset(read_lines(ctx, "stopwords.txt", comment="#"))}


_str = text


_int = integer


def _tokens(value):
    if not isinstance(value, list) or any(not isinstance(t, str) for t in value):
        raise TypeError(f"normalize_tokens must return a list of strings, got {value!r:.100}")
    return value


# ----------------------------------------------------------------------------- generators

CONSONANTS = "bcdfghjklmnprstvwxyz"
VOWELS = "aeiouy"
PORTER_SUFFIXES = ["s", "es", "ies", "sses", "ss", "ed", "ing", "eed", "y", "ly", "e", "ll", "ational", "tional",
                   "enci", "anci", "izer", "abli", "alli", "entli", "eli", "ousli", "ization", "ation", "ator",
                   "alism", "iveness", "fulness", "ousness", "aliti", "iviti", "biliti", "icate", "ative", "alize",
                   "iciti", "ical", "ful", "ness", "al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement",
                   "ment", "ent", "sion", "tion", "ou", "ism", "ate", "iti", "ous", "ive", "ize", "at", "bl", "iz"]


def pseudo_stem(rng):
    out = ""
    for _ in range(rng.randint(1, 3)):
        out += rng.choice(CONSONANTS) if rng.random() < 0.8 else ""
        out += rng.choice(VOWELS)
        if rng.random() < 0.5:
            out += rng.choice(CONSONANTS)
    if rng.random() < 0.2:
        out += out[-1]  # doubled final letter
    return out


def porter_words(rng, n):
    words = []
    for _ in range(n):
        word = pseudo_stem(rng) + rng.choice(PORTER_SUFFIXES)
        if rng.random() < 0.3:
            word += rng.choice(["s", "ed", "ing", "ly", "ness"])
        words.append(word)
    return words


def trap_words(rng):
    """Short stems (m = 1) in front of long suffixes: where 'longest suffix only' and the m conditions matter."""
    words = []
    for suffix in ("ement", "ement", "ational", "ization", "ousness", "icate", "ement" + "s"):
        stem = rng.choice(CONSONANTS[:-2]) + rng.choice("aeiou") + rng.choice(CONSONANTS[:-3])
        words.append(stem + suffix)
    return words


def y_strings(rng, n):
    letters = "bcdfglmnprst"
    return ["".join(rng.choice("y" * 3 + "aeiou" * 2 + letters) for _ in range(rng.randint(2, 8))) for _ in range(n)]


def inflect(lemma, kind):
    consonant_y = len(lemma) > 1 and lemma.endswith("y") and lemma[-2] not in "aeiou"
    short_cvc = (len(lemma) >= 3 and lemma[-1] not in "aeiouwxy" and lemma[-2] in "aeiou"
                 and lemma[-3] not in "aeiou" and sum(c in "aeiou" for c in lemma) == 1)
    if kind == "plural":
        if lemma.endswith(("s", "x", "z", "ch", "sh")):
            return lemma + "es"
        return lemma[:-1] + "ies" if consonant_y else lemma + "s"
    suffix = {"past": "ed", "ing": "ing", "er": "er", "est": "est"}[kind]
    if consonant_y and kind != "ing":
        return lemma[:-1] + "i" + suffix
    if lemma.endswith("e") and not lemma.endswith("ee"):
        return lemma[:-1] + suffix
    if short_cvc:
        return lemma + lemma[-1] + suffix
    return lemma + suffix


def lemma_words(rng, resources, n):
    lemmas = sorted(resources["lemmas"])
    irregular = sorted(resources["irregular"])
    words = []
    for _ in range(n):
        r = rng.random()
        if r < 0.15:
            words.append(rng.choice(irregular))
        elif r < 0.25:
            words.append(rng.choice(lemmas))
        elif r < 0.3:
            words.append(pseudo_stem(rng) + rng.choice(["s", "ed", "ing", "er"]))
        else:
            words.append(inflect(rng.choice(lemmas), rng.choice(["plural", "past", "ing", "er", "est"])))
    if rng.random() < 0.5:
        words[0] = words[0].capitalize()
    return words


SENTENCE_WORDS = ["The", "keepers", "were", "walking", "slowly", "to", "the", "towers", "and", "she", "carried",
                  "boxes", "of", "apples", "children", "ran", "happier", "than", "their", "fathers", "It", "was",
                  "stopped", "by", "storms", "Mr.", "Hale's", "lamps", "burned", "brightly", "in", "1868", "!", "?",
                  ",", "don't", "THE", "With", "hoping", "relational", "generalizations", "went", "mice", "better"]


def sentence(rng):
    words = [rng.choice(SENTENCE_WORDS) for _ in range(rng.randint(8, 16))]
    return " ".join(words) + rng.choice([".", "!", "?"])


CONFIGS = {
    "raw": dict(lowercase=False, remove_punct=False),
    "lower": dict(lowercase=True, remove_punct=True),
    "lower_stop": dict(lowercase=True, remove_punct=True, remove_stopwords=True),
    "stop_keep_case": dict(lowercase=False, remove_punct=True, remove_stopwords=True),
    "stem": dict(lowercase=True, remove_punct=True, remove_stopwords=True, reduce="stem"),
    "lemma": dict(lowercase=True, remove_punct=True, remove_stopwords=True, reduce="lemma"),
    "lemma_keep_case": dict(lowercase=False, remove_punct=False, reduce="lemma"),
}


# ----------------------------------------------------------------------------- visible inputs

MEASURE_WORDS = ["tr", "ee", "tree", "y", "by", "trouble", "oats", "trees", "ivy", "troubles", "private", "oaten",
                 "orrery", "syzygy", "yoyo", "crying"]
STEP1_WORDS = ["caresses", "ponies", "ties", "caress", "cats", "feed", "agreed", "plastered", "bled", "motoring",
               "sing", "conflated", "troubled", "sized", "hopping", "tanned", "falling", "hissing", "fizzed",
               "failing", "filing", "happy", "sky", "is", "as"]
STEM_WORDS = ["relational", "conditional", "rational", "valenci", "hesitanci", "digitizer", "conformabli",
              "radicalli", "differentli", "vileli", "analogousli", "vietnamization", "predication", "operator",
              "feudalism", "decisiveness", "hopefulness", "callousness", "formaliti", "sensitiviti", "sensibiliti",
              "triplicate", "formative", "formalize", "electriciti", "electrical", "hopeful", "goodness", "revival",
              "allowance", "inference", "airliner", "gyroscopic", "adjustable", "defensible", "irritant",
              "replacement", "adjustment", "dependent", "adoption", "homologou", "communism", "activate",
              "angulariti", "homologous", "effective", "bowdlerize", "probate", "rate", "cease", "controll", "roll",
              "generalizations", "oscillators", "element", "vehement", "implement"]
LEMMA_WORDS = ["children", "went", "Walked", "baked", "stopped", "carried", "boxes", "ponies", "cats", "running",
               "baking", "walking", "happier", "biggest", "taller", "better", "keepers", "wool", "zorbled", "is",
               "trees", "flies", "dressed", "hopping", "hoping"]
VISIBLE_TEXT = ("The keepers were walking slowly to the towers, and she carried boxes of apples! "
                "THE children ran happier than their fathers; Mr. Hale's lamps burned in 1868.")


# ----------------------------------------------------------------------------- cases


@case
def measure(student, ctx):
    rng = case_rng(ctx, "measure")
    words = MEASURE_WORDS if ctx.visible else [pseudo_stem(rng) for _ in range(15)] + y_strings(rng, 25)
    ctx.show(words=words)
    return {w: _int(student.measure(w), "measure") for w in words}


@case
def porter_step1(student, ctx):
    rng = case_rng(ctx, "porter_step1")
    words = STEP1_WORDS if ctx.visible else porter_words(rng, 60)
    ctx.show(words=words)
    return {w: _str(student.porter_step1(w), "porter_step1") for w in words}


@case
def porter_stem(student, ctx):
    rng = case_rng(ctx, "porter_stem")
    if ctx.visible:
        words = STEM_WORDS
    else:
        text = read_text(ctx, "corpus.txt").lower()
        corpus_words = sorted({w for w in "".join(c if c.isalpha() else " " for c in text).split()})
        words = porter_words(rng, 120) + trap_words(rng) + y_strings(rng, 10) + rng.sample(corpus_words, 60)
    ctx.show(words=words)
    return {w: _str(student.porter_stem(w), "porter_stem") for w in words}


@case
def lemmatize(student, ctx):
    rng = case_rng(ctx, "lemmatize")
    resources = load_resources(ctx)
    words = LEMMA_WORDS if ctx.visible else lemma_words(rng, resources, 60)
    ctx.show(words=words)
    return {w: _str(student.lemmatize(w, dict(resources["irregular"]), set(resources["lemmas"])), "lemmatize")
            for w in words}


@case
def normalize_tokens(student, ctx):
    rng = case_rng(ctx, "normalize_tokens")
    resources = load_resources(ctx)
    if ctx.visible:
        texts, configs = [VISIBLE_TEXT], dict(CONFIGS)
        ctx.show(text=VISIBLE_TEXT, configs=configs)
    else:
        texts = [sentence(rng) for _ in range(3)]
        configs = dict(CONFIGS)
    out = {}
    for name, config in configs.items():
        out[name] = [_tokens(student.normalize_tokens(t, **config, **resources)) for t in texts]
    return out


@case
def vocabulary_report(student, ctx):
    rng = case_rng(ctx, "vocabulary_report")
    resources = load_resources(ctx)
    text = read_text(ctx, "corpus.txt")
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    if not ctx.visible:
        paragraphs = rng.sample(paragraphs, max(2, len(paragraphs) * 2 // 3)) + [sentence(rng)]
    else:
        ctx.show(texts="the paragraphs of data/corpus.txt", configs=CONFIGS)
    report = student.vocabulary_report(paragraphs, dict(CONFIGS), **resources)
    if not isinstance(report, dict) or set(report) != set(CONFIGS):
        raise TypeError(f"vocabulary_report must return a dict with one entry per config name {sorted(CONFIGS)}")
    return {name: {"tokens": _int(report[name]["tokens"], "'tokens'"), "types": _int(report[name]["types"], "'types'")}
            for name in CONFIGS}
