"""Lab 2 reference solution: basic text analysis."""
from __future__ import annotations

import math
import re
from collections import Counter

ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "prof", "st", "vs", "e.g", "i.e"}

WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
# terminators, then closing quotes/brackets, then whitespace and a sentence-opening character
BOUNDARY = re.compile(r"""([.!?]+)(["')]*)(?=\s+[A-Z"(])""")


def tokenize(text: str) -> list[str]:
    return WORD.findall(text.replace("\u2019", "'").lower())


def word_counts(tokens: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for token in tokens:
        counts[token] = counts.get(token, 0) + 1
    return counts


def top_k(counts: dict[str, int], k: int) -> list[tuple[str, int]]:
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ranked[:max(k, 0)]


def _is_abbreviation(before: str) -> bool:
    word = re.search(r"\S*$", before).group().lstrip("\"(").lower()
    return word in ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def split_sentences(text: str) -> list[str]:
    sentences = []
    for paragraph in PARAGRAPH_BREAK.split(text):
        start = 0
        pieces = []
        for match in BOUNDARY.finditer(paragraph):
            if match.group(1) == "." and _is_abbreviation(paragraph[start:match.start()]):
                continue
            pieces.append(paragraph[start:match.end()])
            start = match.end()
        pieces.append(paragraph[start:])
        sentences.extend(" ".join(p.split()) for p in pieces if p.strip())
    return sentences


def _median(ordered: list[int]) -> float:
    """The middle value of a sorted list; the mean of the two middle values when its length is even."""
    middle = len(ordered) // 2
    return float(ordered[middle]) if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def length_summary(lengths: list[int], bin_width: int = 5) -> dict:
    if not lengths:
        return {"count": 0, "mean": 0.0, "median": 0.0, "min": 0, "max": 0, "histogram": []}
    ordered = sorted(lengths)
    histogram = [0] * (ordered[-1] // bin_width + 1)
    for length in ordered:
        histogram[length // bin_width] += 1
    return {"count": len(ordered), "mean": sum(ordered) / len(ordered), "median": _median(ordered),
            "min": ordered[0], "max": ordered[-1], "histogram": histogram}


def type_token_ratio(tokens: list[str]) -> float:
    return len(set(tokens)) / len(tokens) if tokens else 0.0


def _types_per_window(tokens: list[str], window: int):
    """The number of distinct tokens in each window of `window` tokens, sliding one token at a time from
    tokens[0:window] to the last window, which ends at the last token (len(tokens) - window + 1 windows)."""
    in_window = Counter(tokens[:window])
    yield len(in_window)
    for i in range(window, len(tokens)):
        leaving = tokens[i - window]
        in_window[leaving] -= 1
        if in_window[leaving] == 0:
            del in_window[leaving]
        in_window[tokens[i]] += 1
        yield len(in_window)


def mattr(tokens: list[str], window: int) -> float:
    if window < 1:
        raise ValueError("window must be at least 1")
    if len(tokens) <= window:
        return type_token_ratio(tokens)
    types = list(_types_per_window(tokens, window))
    return sum(types) / (window * len(types))


def zipf_fit(counts: dict[str, int]) -> tuple[float, float]:
    freqs = sorted(counts.values(), reverse=True)
    if len(freqs) < 2:
        raise ValueError("zipf_fit needs at least two distinct words")
    xs = [math.log(rank) for rank in range(1, len(freqs) + 1)]
    ys = [math.log(f) for f in freqs]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys))
    sxx = sum((x - mean_x) ** 2 for x in xs)
    slope = sxy / sxx
    return slope, mean_y - slope * mean_x
