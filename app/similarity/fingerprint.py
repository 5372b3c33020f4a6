"""Token fingerprints with winnowing (Schleimer, Wilkerson & Aiken, "Winnowing: local algorithms for
document fingerprinting", SIGMOD 2003 — the idea behind MOSS).

Code is tokenized with Python's `tokenize`; identifiers become one symbol, literals another, comments and
whitespace (including indentation and line breaks) are dropped, so renaming variables or reformatting does
not hide a copy. Hashes of every K consecutive tokens are winnowed (the smallest hash of each window of W
hashes is kept), which guarantees that any shared run of at least W + K - 1 tokens is detected. Fingerprints
that also occur in the lab's starter code are removed before comparing."""
from __future__ import annotations

import hashlib
import io
import keyword
import tokenize
from collections import defaultdict
from dataclasses import dataclass, field

K = 10  # tokens per k-gram
W = 5  # winnowing window (hashes)
MIN_FINGERPRINTS = 6  # fewer own fingerprints than this: too little code to judge
_DROP = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING,
         tokenize.ENDMARKER}
_FSTRING_START = getattr(tokenize, "FSTRING_START", None)
_FSTRING_PARTS = {getattr(tokenize, name) for name in ("FSTRING_MIDDLE", "FSTRING_END") if hasattr(tokenize, name)}


@dataclass(frozen=True)
class Token:
    text: str
    line: int


def normalise(code: str) -> list[Token]:
    """The token stream with names and literals abstracted. Stops quietly at a syntax error."""
    tokens: list[Token] = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(code).readline):
            kind = tok.type
            if kind in _DROP or kind in _FSTRING_PARTS or (kind == tokenize.ERRORTOKEN and not tok.string.strip()):
                continue
            if kind == tokenize.NAME:
                text = tok.string if keyword.iskeyword(tok.string) else "N"
            elif kind == tokenize.NUMBER:
                text = "0"
            elif kind == tokenize.STRING or kind == _FSTRING_START:
                text = "S"
            else:
                text = tok.string
            tokens.append(Token(text, tok.start[0]))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return tokens


def _hash(texts: list[str]) -> int:
    return int.from_bytes(hashlib.blake2b("\x1f".join(texts).encode(), digest_size=8).digest(), "big")


def kgram_hashes(tokens: list[Token], k: int = K) -> list[int]:
    texts = [t.text for t in tokens]
    return [_hash(texts[i:i + k]) for i in range(len(texts) - k + 1)]


def winnow(hashes: list[int], w: int = W) -> list[int]:
    """Positions selected by winnowing: the rightmost minimum of each window, each position once."""
    if not hashes:
        return []
    if len(hashes) <= w:
        return [min(range(len(hashes)), key=lambda i: (hashes[i], -i))]
    selected: list[int] = []
    for start in range(len(hashes) - w + 1):
        window = range(start, start + w)
        best = min(window, key=lambda i: (hashes[i], -i))
        if not selected or selected[-1] != best:
            selected.append(best)
    return selected


@dataclass
class Fingerprints:
    """hash -> [(first line, last line), ...] of the k-grams selected by winnowing."""

    spans: dict[int, list[tuple[int, int]]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.spans)

    @property
    def hashes(self) -> set[int]:
        return set(self.spans)


def fingerprint(code: str, exclude: set[int] | None = None, k: int = K, w: int = W) -> Fingerprints:
    tokens = normalise(code)
    hashes = kgram_hashes(tokens, k)
    spans: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for position in winnow(hashes, w):
        value = hashes[position]
        if exclude and value in exclude:
            continue
        spans[value].append((tokens[position].line, tokens[position + k - 1].line))
    return Fingerprints(dict(spans))


def starter_hashes(starter: str, k: int = K) -> set[int]:
    """Every k-gram of the starter code (not only the winnowed ones), so none of it can match."""
    return set(kgram_hashes(normalise(starter), k))


@dataclass
class Match:
    score: float  # shared fingerprints / fingerprints of the smaller submission
    jaccard: float
    shared: int
    regions: list[list[int]]  # [[a_first, a_last, b_first, b_last], ...]


def compare(a: Fingerprints, b: Fingerprints) -> Match:
    shared = a.hashes & b.hashes
    smaller = min(len(a), len(b))
    if smaller < MIN_FINGERPRINTS or not shared:
        return Match(0.0, 0.0, len(shared), [])
    score = len(shared) / smaller
    jaccard = len(shared) / len(a.hashes | b.hashes)
    return Match(round(score, 4), round(jaccard, 4), len(shared), regions(a, b, shared))


def regions(a: Fingerprints, b: Fingerprints, shared: set[int]) -> list[list[int]]:
    """Matching line ranges, merged where both sides continue each other."""
    spans = sorted((*a.spans[h][0], *b.spans[h][0]) for h in shared)
    merged: list[list[int]] = []
    for a0, a1, b0, b1 in spans:
        if merged:
            last = merged[-1]
            if a0 <= last[1] + 2 and b0 <= last[3] + 2 and b1 >= last[2] - 2:
                last[1], last[2], last[3] = max(last[1], a1), min(last[2], b0), max(last[3], b1)
                continue
        merged.append([a0, a1, b0, b1])
    return merged


def candidate_pairs(documents: dict[int, Fingerprints]) -> dict[tuple[int, int], int]:
    """Pairs of documents that share at least one fingerprint (an inverted index, not all n² pairs)."""
    index: dict[int, list[int]] = defaultdict(list)
    for doc_id, prints in documents.items():
        for value in prints.hashes:
            index[value].append(doc_id)
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for doc_ids in index.values():
        if len(doc_ids) > 50:  # boilerplate nearly everyone wrote; says nothing about a pair
            continue
        doc_ids = sorted(doc_ids)
        for i, first in enumerate(doc_ids):
            for second in doc_ids[i + 1:]:
                counts[(first, second)] += 1
    return dict(counts)
