"""Lab 5: tokenization. Submit this file as tokenization.py.

Part A: a Treebank-style word tokenizer. Part B: byte-pair encoding (BPE) from scratch.
The README gives the exact rules. Only the standard library is needed (re is imported).
Run `python tokenization.py` next to the data/ folder to try your code.
"""
from __future__ import annotations

import re

EOW = "</w>"  # end-of-word marker, glued to the last character of every word: "low" -> l o w</w>


# ----------------------------------------------------------------------------- Part A


def word_tokenize(text: str) -> list[str]:
    """Penn-Treebank-style tokens: `` and '' for double quotes, punctuation split off,
    only the final period split, n't / 's / 'm / 'd / 'll / 're / 've / ' split from their word."""
    raise NotImplementedError("word_tokenize")


# ----------------------------------------------------------------------------- Part B


def word_to_symbols(word: str) -> tuple[str, ...]:
    """The initial BPE symbols of a word: its characters, with EOW glued to the last one."""
    raise NotImplementedError("word_to_symbols")


def train_bpe(word_counts: dict[str, int], num_merges: int) -> list[tuple[str, str]]:
    """Learn up to num_merges merges, in order. Each step merges the most frequent adjacent pair
    (counts weighted by word frequency); ties go to the smallest pair in tuple order."""
    raise NotImplementedError("train_bpe")


def bpe_encode(word: str, merges: list[tuple[str, str]]) -> list[str]:
    """Segment one word: start from word_to_symbols(word) and repeatedly apply the adjacent pair
    with the lowest merge rank until none applies."""
    raise NotImplementedError("bpe_encode")


def bpe_tokenize(text: str, merges: list[tuple[str, str]]) -> list[str]:
    """word_tokenize the text, then bpe_encode every word."""
    raise NotImplementedError("bpe_tokenize")


# ----------------------------------------------------------------------------- Part C: NLTK's tokenizers


def nltk_tokenize(text: str) -> dict[str, list[str]]:
    """{"treebank": ..., "wordpunct": ..., "tweet": ...}: the tokens of NLTK's TreebankWordTokenizer,
    WordPunctTokenizer and TweetTokenizer(strip_handles=True, reduce_len=True) (from nltk.tokenize)."""
    raise NotImplementedError("TODO: nltk_tokenize")


if __name__ == "__main__":
    from collections import Counter
    from pathlib import Path

    print(word_tokenize("\"Don't panic!\" said Mr. O'Brien, it's 3:30."))
    merges = train_bpe({"low": 5, "lower": 2, "newest": 6, "widest": 3}, 10)
    print(merges)
    print(bpe_encode("lowest", merges))
    data = Path(__file__).parent / "data"
    corpus = (data / "corpus.txt").read_text(encoding="utf-8")
    counts = Counter(word_tokenize(" ".join(corpus.split())))
    merges = train_bpe(dict(counts), 300)
    held = (data / "heldout.txt").read_text(encoding="utf-8")
    tokens = bpe_tokenize(" ".join(held.split()), merges)
    print(f"{len(tokens)} BPE tokens for {len(word_tokenize(' '.join(held.split())))} words:", tokens[:20])
