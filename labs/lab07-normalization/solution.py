"""Lab 7 reference solution: Porter stemming, a lexicon lemmatizer and a configurable normalisation pipeline."""
from __future__ import annotations

import re

# ----------------------------------------------------------------------------- Porter (1980)


def is_consonant(word: str, i: int) -> bool:
    ch = word[i]
    if ch in "aeiou":
        return False
    if ch == "y":
        return i == 0 or not is_consonant(word, i - 1)
    return True


def measure(stem: str) -> int:
    """m in [C](VC)^m[V]: the number of vowel-run -> consonant-run transitions."""
    m, prev_vowel = 0, False
    for i in range(len(stem)):
        vowel = not is_consonant(stem, i)
        if prev_vowel and not vowel:
            m += 1
        prev_vowel = vowel
    return m


def _has_vowel(stem: str) -> bool:
    return any(not is_consonant(stem, i) for i in range(len(stem)))


def _double_consonant(stem: str) -> bool:
    return len(stem) >= 2 and stem[-1] == stem[-2] and is_consonant(stem, len(stem) - 1)


def _cvc(stem: str) -> bool:
    n = len(stem)
    return (n >= 3 and is_consonant(stem, n - 3) and not is_consonant(stem, n - 2)
            and is_consonant(stem, n - 1) and stem[-1] not in "wxy")


def _apply_longest(word: str, rules: list[tuple[str, str]], condition) -> str:
    """Only the rule with the longest matching suffix is considered; if its condition fails, nothing happens."""
    for suffix, replacement in sorted(rules, key=lambda r: -len(r[0])):
        if word.endswith(suffix):
            stem = word[: len(word) - len(suffix)]
            return stem + replacement if condition(stem, suffix) else word
    return word


STEP2 = [("ational", "ate"), ("tional", "tion"), ("enci", "ence"), ("anci", "ance"), ("izer", "ize"),
         ("abli", "able"), ("alli", "al"), ("entli", "ent"), ("eli", "e"), ("ousli", "ous"),
         ("ization", "ize"), ("ation", "ate"), ("ator", "ate"), ("alism", "al"), ("iveness", "ive"),
         ("fulness", "ful"), ("ousness", "ous"), ("aliti", "al"), ("iviti", "ive"), ("biliti", "ble")]
STEP3 = [("icate", "ic"), ("ative", ""), ("alize", "al"), ("iciti", "ic"), ("ical", "ic"), ("ful", ""), ("ness", "")]
STEP4 = [(s, "") for s in ("al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent",
                           "ion", "ou", "ism", "ate", "iti", "ous", "ive", "ize")]


def porter_step1(word: str) -> str:
    if len(word) <= 2:
        return word
    # 1a
    word = _apply_longest(word, [("sses", "ss"), ("ies", "i"), ("ss", "ss"), ("s", "")], lambda s, x: True)
    # 1b
    second_or_third = False
    if word.endswith("eed"):
        if measure(word[:-3]) > 0:
            word = word[:-1]
    else:
        for suffix in ("ed", "ing"):
            if word.endswith(suffix) and _has_vowel(word[: -len(suffix)]):
                word, second_or_third = word[: -len(suffix)], True
                break
    if second_or_third:
        if word.endswith(("at", "bl", "iz")):
            word += "e"
        elif _double_consonant(word) and word[-1] not in "lsz":
            word = word[:-1]
        elif measure(word) == 1 and _cvc(word):
            word += "e"
    # 1c
    if word.endswith("y") and _has_vowel(word[:-1]):
        word = word[:-1] + "i"
    return word


def porter_stem(word: str) -> str:
    if len(word) <= 2:
        return word
    word = porter_step1(word)
    word = _apply_longest(word, STEP2, lambda s, x: measure(s) > 0)
    word = _apply_longest(word, STEP3, lambda s, x: measure(s) > 0)
    word = _apply_longest(word, STEP4, lambda s, x: measure(s) > 1 and (x != "ion" or s.endswith(("s", "t"))))
    if word.endswith("e"):
        stem = word[:-1]
        if measure(stem) > 1 or (measure(stem) == 1 and not _cvc(stem)):
            word = stem
    if measure(word) > 1 and _double_consonant(word) and word.endswith("l"):
        word = word[:-1]
    return word


# ----------------------------------------------------------------------------- lexicon lemmatizer

SUFFIX_RULES = [("ies", "y"), ("es", ""), ("s", ""), ("ied", "y"), ("ed", ""), ("ed", "e"), ("ed", "DOUBLE"),
                ("ing", ""), ("ing", "e"), ("ing", "DOUBLE"), ("ier", "y"), ("iest", "y"), ("er", ""),
                ("est", ""), ("er", "DOUBLE"), ("est", "DOUBLE")]


def _is_lemma(candidate: str, lemmas: set[str]) -> bool:
    return candidate in lemmas


def lemmatize(word: str, irregular: dict[str, str], lemmas: set[str]) -> str:
    w = word.lower()
    if w in irregular:
        return irregular[w]
    if w in lemmas:
        return w
    for suffix, replacement in SUFFIX_RULES:
        if not w.endswith(suffix) or len(w) <= len(suffix):
            continue
        stem = w[: -len(suffix)]
        if replacement == "DOUBLE":
            if len(stem) < 2 or stem[-1] != stem[-2]:
                continue
            candidate = stem[:-1]
        else:
            candidate = stem + replacement
        if _is_lemma(candidate, lemmas):
            return candidate
    return w


# ----------------------------------------------------------------------------- pipeline

TOKEN = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?|\d+|[^\w\s]")


def _is_stopword(token: str, stopwords: frozenset) -> bool:
    return token.lower() in stopwords


def normalize_tokens(text: str, lowercase: bool = True, remove_punct: bool = True, remove_stopwords: bool = False,
                     reduce: str | None = None, stopwords: frozenset = frozenset(),
                     irregular: dict | None = None, lemmas: set | None = None) -> list[str]:
    tokens = TOKEN.findall(text)
    if lowercase:
        tokens = [t.lower() for t in tokens]
    if remove_punct:
        tokens = [t for t in tokens if any(c.isalnum() for c in t)]
    if remove_stopwords:
        tokens = [t for t in tokens if not _is_stopword(t, stopwords)]
    if reduce is not None:
        if reduce not in ("stem", "lemma"):
            raise ValueError(f"reduce must be None, 'stem' or 'lemma', not {reduce!r}")
        out = []
        for t in tokens:
            if re.fullmatch(r"[a-z]+", t.lower()):
                t = porter_stem(t.lower()) if reduce == "stem" else lemmatize(t, irregular or {}, lemmas or set())
            out.append(t)
        tokens = out
    return tokens


def vocabulary_report(texts: list[str], configs: dict[str, dict], **resources) -> dict[str, dict[str, int]]:
    report = {}
    for name, config in configs.items():
        tokens = [t for text in texts for t in normalize_tokens(text, **config, **resources)]
        report[name] = {"tokens": len(tokens), "types": len(set(tokens))}
    return report
