"""Lab 4: near-duplicate detection with shingles, MinHash and LSH. Submit this file as near_dedup.py.

base_hash, make_hash_params and P are GIVEN: keep them as they are (the checks use exactly this hash
family). Implement the other functions; the README gives the exact rules.
Run `python near_dedup.py` next to the data/ folder to try your pipeline on a planted corpus.
"""
from __future__ import annotations

import hashlib
import re
from collections import defaultdict

import numpy as np

P = (1 << 31) - 1  # Mersenne prime 2^31 - 1: (a * h + b) stays below 2^62, so int64 never overflows


def base_hash(shingle: str) -> int:
    """GIVEN: a fixed 64-bit hash of a shingle, reduced modulo P."""
    return int.from_bytes(hashlib.blake2b(shingle.encode("utf-8"), digest_size=8).digest(), "little") % P


def make_hash_params(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """GIVEN: the coefficients of num_perm hash functions h_i(x) = (a_i * x + b_i) mod P."""
    rng = np.random.default_rng(seed)
    a = rng.integers(1, P, size=num_perm, dtype=np.int64)
    b = rng.integers(0, P, size=num_perm, dtype=np.int64)
    return a, b


def shingles(text: str, k: int = 3) -> set[str]:
    """The set of word k-shingles: lowercase words [a-z0-9]+, every k consecutive words joined by ' '."""
    raise NotImplementedError("shingles")


def jaccard(a: set, b: set) -> float:
    """|a & b| / |a | b|; 1.0 for two empty sets."""
    raise NotImplementedError("jaccard")


def minhash_signature(shingle_set: set[str], a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """int64 array of shape (len(a),): sig[i] = min over s of (a[i] * base_hash(s) + b[i]) % P; all P if empty."""
    raise NotImplementedError("minhash_signature")


def estimate_jaccard(sig1: np.ndarray, sig2: np.ndarray) -> float:
    """Fraction of positions where the two signatures are equal."""
    raise NotImplementedError("estimate_jaccard")


def lsh_probability(s: float, bands: int, rows: int) -> float:
    """Probability that two documents with Jaccard similarity s become LSH candidates."""
    raise NotImplementedError("lsh_probability")


def lsh_candidates(signatures: np.ndarray, bands: int) -> list[tuple[int, int]]:
    """Sorted list of pairs (i, j), i < j, that share all rows of at least one band.
    signatures: int64 array (n_docs, num_perm); ValueError if num_perm % bands != 0."""
    raise NotImplementedError("lsh_candidates")


def clusters(n: int, pairs: list[tuple[int, int]]) -> list[list[int]]:
    """Connected components of the graph on 0..n-1 with these edges, only those with >= 2 members;
    each sorted, the list sorted."""
    raise NotImplementedError("clusters")


def deduplicate(docs: list[str], k: int = 3, num_perm: int = 128, bands: int = 32,
                threshold: float = 0.5, seed: int = 1) -> list[int]:
    """Sorted indices of the documents to keep: the first (smallest index) of every near-duplicate
    cluster and every document in no cluster."""
    raise NotImplementedError("deduplicate")


if __name__ == "__main__":
    import sys
    import time
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent / "data"))
    from planted_corpus import make_corpus

    docs, truth = make_corpus(0)
    started = time.perf_counter()
    kept = deduplicate(docs)
    should_remove = {i for group in truth for i in group[1:]}
    removed = set(range(len(docs))) - set(kept)
    hits = len(removed & should_remove)
    print(f"{len(docs)} documents, kept {len(kept)} in {time.perf_counter() - started:.2f} s")
    print(f"precision {hits / max(1, len(removed)):.3f}, recall {hits / len(should_remove):.3f}")
    for s in (0.2, 0.4, 0.5, 0.6, 0.8):
        print(f"P(candidate | s={s}) with 32 bands x 4 rows = {lsh_probability(s, 32, 4):.3f}")
