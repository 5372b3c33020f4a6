"""Lab 7: text normalisation. Submit this file as normalization.py.

Implement the Porter (1980) stemmer, a lexicon lemmatizer and a normalisation pipeline; the README gives
the exact rules. TOKEN, SUFFIX_RULES and load_resources are GIVEN. Only the standard library is needed.
Run `python normalization.py` next to the data/ folder to try your code.
"""
from __future__ import annotations

import re

# ----------------------------------------------------------------------------- Porter (1980)


def is_consonant(word: str, i: int) -> bool:
    """Is word[i] a consonant? a, e, i, o, u are vowels; y is a vowel only when it follows a consonant."""
    raise NotImplementedError("is_consonant")


def measure(stem: str) -> int:
    """Porter's m: the stem has the form [C](VC)^m[V]."""
    raise NotImplementedError("measure")


def porter_step1(word: str) -> str:
    """Steps 1a, 1b (with its clean-up) and 1c. Words of 1-2 letters are returned unchanged."""
    raise NotImplementedError("porter_step1")


def porter_stem(word: str) -> str:
    """The full algorithm: step 1, then steps 2, 3, 4, 5a, 5b. Words of 1-2 letters are unchanged."""
    raise NotImplementedError("porter_stem")


# ----------------------------------------------------------------------------- lexicon lemmatizer

# GIVEN: (suffix, replacement) tried in this order; "DOUBLE" means: the stem ends in a doubled letter,
# drop one of them (stopped -> stopp -> stop).
SUFFIX_RULES = [("ies", "y"), ("es", ""), ("s", ""), ("ied", "y"), ("ed", ""), ("ed", "e"), ("ed", "DOUBLE"),
                ("ing", ""), ("ing", "e"), ("ing", "DOUBLE"), ("ier", "y"), ("iest", "y"), ("er", ""),
                ("est", ""), ("er", "DOUBLE"), ("est", "DOUBLE")]


def lemmatize(word: str, irregular: dict[str, str], lemmas: set[str]) -> str:
    """Lowercase; irregular form -> its lemma; known lemma -> itself; else the first SUFFIX_RULES candidate
    that is a known lemma; else the lowercased word."""
    raise NotImplementedError("lemmatize")


# ----------------------------------------------------------------------------- pipeline

# GIVEN: words (with one inner apostrophe), numbers, and single punctuation characters
TOKEN = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?|\d+|[^\w\s]")


def normalize_tokens(text: str, lowercase: bool = True, remove_punct: bool = True, remove_stopwords: bool = False,
                     reduce: str | None = None, stopwords: frozenset = frozenset(),
                     irregular: dict | None = None, lemmas: set | None = None) -> list[str]:
    """TOKEN.findall -> lowercase -> drop punctuation -> drop stop words -> stem or lemmatize (see README)."""
    raise NotImplementedError("normalize_tokens")


def vocabulary_report(texts: list[str], configs: dict[str, dict], **resources) -> dict[str, dict[str, int]]:
    """{config name: {"tokens": total tokens, "types": distinct tokens}} over all texts together;
    each config is a dict of normalize_tokens keyword arguments, resources are passed on as well."""
    raise NotImplementedError("vocabulary_report")


def load_resources(data_dir) -> dict:
    """GIVEN: irregular forms, known lemmas and stop words from data/."""
    irregular = {}
    for line in (data_dir / "irregular.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            form, lemma = line.split("\t")
            irregular[form] = lemma
    lemmas = set((data_dir / "lemmas.txt").read_text(encoding="utf-8").split())
    stopwords = frozenset(w for w in (data_dir / "stopwords.txt").read_text(encoding="utf-8").split("\n")
                          if w and not w.startswith("#"))
    return {"irregular": irregular, "lemmas": lemmas, "stopwords": stopwords}


if __name__ == "__main__":
    from pathlib import Path

    data = Path(__file__).parent / "data"
    resources = load_resources(data)
    for w in ["caresses", "ponies", "hopping", "relational", "rational", "generalizations", "controll"]:
        print(f"{w:16s} step1={porter_step1(w):14s} stem={porter_stem(w)}")
    for w in ["children", "went", "baked", "stopped", "happier", "bakes"]:
        print(f"{w:10s} -> {lemmatize(w, resources['irregular'], resources['lemmas'])}")
    configs = {
        "raw": dict(lowercase=False, remove_punct=False),
        "lower": dict(lowercase=True),
        "lower_stop": dict(lowercase=True, remove_stopwords=True),
        "stem": dict(lowercase=True, remove_stopwords=True, reduce="stem"),
        "lemma": dict(lowercase=True, remove_stopwords=True, reduce="lemma"),
    }
    text = (data / "corpus.txt").read_text(encoding="utf-8")
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    for name, counts in vocabulary_report(paragraphs, configs, **resources).items():
        print(f"{name:12s} {counts['tokens']:6d} tokens {counts['types']:6d} types")
