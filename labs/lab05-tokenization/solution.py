"""Lab 5 reference solution: a Treebank-style word tokenizer and byte-pair encoding (BPE) from scratch."""
from __future__ import annotations

import re

EOW = "</w>"

# (pattern, replacement) applied in this order; see the README for the rules in words
TREEBANK_RULES = [
    (re.compile(r'^"'), r" `` "),                                   # 1. opening double quotes
    (re.compile(r'(?<=[\s(\[{<])"'), r" `` "),
    (re.compile(r"\.\.\."), r" ... "),                              # 2. punctuation
    (re.compile(r"[;@#$%&?!]"), r" \g<0> "),
    (re.compile(r"(?<!\d),|,(?!\d)"), r" , "),
    (re.compile(r"(?<!\d):|:(?!\d)"), r" : "),
    (re.compile(r"""([^.])\.([\])}>"']*)\s*$"""), r"\1 . \2 "),
    (re.compile(r"[\[\](){}<>]"), r" \g<0> "),                      # 3. brackets
    (re.compile(r"--"), r" -- "),                                   # 4. double dashes
    (re.compile(r'"'), r" '' "),                                    # 5. closing double quotes
    (re.compile(r"(?i)([^' ])('s|'m|'d|')(?=\s)"), r"\1 \2"),        # 6. clitics and possessives
    (re.compile(r"(?i)([^' ])('ll|'re|'ve|n't)(?=\s)"), r"\1 \2"),
]


def word_tokenize(text: str) -> list[str]:
    text = f" {text} "
    for pattern, replacement in TREEBANK_RULES:
        text = pattern.sub(replacement, text)
    return text.split()


def _pair_counts(vocab: dict[tuple[str, ...], int]) -> dict[tuple[str, str], int]:
    counts: dict[tuple[str, str], int] = {}
    for symbols, freq in vocab.items():
        for pair in zip(symbols, symbols[1:]):
            counts[pair] = counts.get(pair, 0) + freq
    return counts


def _merge(symbols: tuple[str, ...], pair: tuple[str, str]) -> tuple[str, ...]:
    out, i = [], 0
    while i < len(symbols):
        if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == pair:
            out.append(symbols[i] + symbols[i + 1])
            i += 2
        else:
            out.append(symbols[i])
            i += 1
    return tuple(out)


def word_to_symbols(word: str) -> tuple[str, ...]:
    return tuple(word[:-1]) + (word[-1] + EOW,)


def _best_pair(counts: dict[tuple[str, str], int]) -> tuple[str, str]:
    """The most frequent pair; ties go to the alphabetically smallest pair (never to dict order)."""
    return min(counts, key=lambda pair: (-counts[pair], pair))


def train_bpe(word_counts: dict[str, int], num_merges: int) -> list[tuple[str, str]]:
    vocab = {word_to_symbols(w): c for w, c in word_counts.items() if w}
    merges = []
    for _ in range(num_merges):
        counts = _pair_counts(vocab)
        if not counts:
            break
        best = _best_pair(counts)
        merges.append(best)
        vocab = {_merge(symbols, best): freq for symbols, freq in vocab.items()}
    return merges


def _pair_to_merge(pairs: list[tuple[str, str]], rank: dict[tuple[str, str], int]) -> tuple[str, str]:
    """Of the adjacent pairs that have a merge, the one learned first (lowest rank), wherever it stands."""
    return min(pairs, key=rank.__getitem__)


def bpe_encode(word: str, merges: list[tuple[str, str]]) -> list[str]:
    rank = {pair: i for i, pair in enumerate(merges)}
    symbols = word_to_symbols(word)
    while len(symbols) > 1:
        pairs = [p for p in zip(symbols, symbols[1:]) if p in rank]
        if not pairs:
            break
        symbols = _merge(symbols, _pair_to_merge(pairs, rank))
    return list(symbols)


def bpe_tokenize(text: str, merges: list[tuple[str, str]]) -> list[str]:
    return [piece for word in word_tokenize(text) for piece in bpe_encode(word, merges)]


# ----------------------------------------------------------------------------- Part C: NLTK's tokenizers


def nltk_tokenize(text: str) -> dict[str, list[str]]:
    from nltk.tokenize import TreebankWordTokenizer, TweetTokenizer, WordPunctTokenizer

    return {"treebank": TreebankWordTokenizer().tokenize(text), "wordpunct": WordPunctTokenizer().tokenize(text),
            "tweet": TweetTokenizer(strip_handles=True, reduce_len=True).tokenize(text)}
