"""Lab 2: basic text analysis. Submit this file as text_stats.py.

Implement every function below (the README gives the exact rules). Only the standard library is
needed; `re`, `math` and `collections` are imported for you.
Run `python text_stats.py` to try your functions on the texts in data/texts/.
"""
from __future__ import annotations

import math
import re
from collections import Counter

# A "." right after one of these words (case-insensitive) does not end a sentence.
ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "prof", "st", "vs", "e.g", "i.e"}


def tokenize(text: str) -> list[str]:
    """Lowercased word tokens, in order. A word is a run of letters or digits, optionally joined
    by single apostrophes inside it ("don't", "o'clock"); ’ (U+2019) counts as '.
    tokenize("It's 3.5 km, isn’t it?") == ["it's", "3", "5", "km", "isn't", "it"]"""
    raise NotImplementedError("tokenize")


def word_counts(tokens: list[str]) -> dict[str, int]:
    """{token: number of occurrences}."""
    raise NotImplementedError("word_counts")


def top_k(counts: dict[str, int], k: int) -> list[tuple[str, int]]:
    """The k most frequent (word, count) pairs: count descending, ties broken alphabetically.
    Fewer than k pairs if there are fewer words; [] if k <= 0."""
    raise NotImplementedError("top_k")


def split_sentences(text: str) -> list[str]:
    """Sentences in order, each with its whitespace collapsed to single spaces (see the README's
    rules: paragraphs, terminators, closers, openers, abbreviations, initials)."""
    raise NotImplementedError("split_sentences")


def length_summary(lengths: list[int], bin_width: int = 5) -> dict:
    """{"count": int, "mean": float, "median": float, "min": int, "max": int, "histogram": list[int]}
    where histogram[i] counts the lengths L with i*bin_width <= L < (i+1)*bin_width."""
    raise NotImplementedError("length_summary")


def type_token_ratio(tokens: list[str]) -> float:
    """Distinct tokens / tokens; 0.0 for an empty list."""
    raise NotImplementedError("type_token_ratio")


def mattr(tokens: list[str], window: int) -> float:
    """Moving-average TTR: the mean TTR over all len(tokens) - window + 1 windows of `window`
    consecutive tokens; the plain TTR if len(tokens) <= window."""
    raise NotImplementedError("mattr")


def zipf_fit(counts: dict[str, int]) -> tuple[float, float]:
    """(slope, intercept) of the least-squares line ln(count) = slope * ln(rank) + intercept,
    rank 1 = the most frequent word."""
    raise NotImplementedError("zipf_fit")


if __name__ == "__main__":
    from pathlib import Path

    for path in sorted(Path(__file__).parent.glob("data/texts/*.txt")):
        text = path.read_text(encoding="utf-8")
        tokens = tokenize(text)
        sentences = split_sentences(text)
        summary = length_summary([len(tokenize(s)) for s in sentences])
        print(f"== {path.name}: {len(tokens)} tokens, {len(set(tokens))} types, "
              f"TTR {type_token_ratio(tokens):.3f}, MATTR(50) {mattr(tokens, 50):.3f}")
        print("   top words:", top_k(word_counts(tokens), 8))
        print(f"   {summary['count']} sentences, mean {summary['mean']:.1f}, median {summary['median']}, "
              f"histogram {summary['histogram']}")
        print("   Zipf slope/intercept: %.3f %.3f" % zipf_fit(word_counts(tokens)))
