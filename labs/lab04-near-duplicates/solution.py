"""Lab 4 reference solution: near-duplicate detection with shingles, MinHash and LSH."""
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


def _words(text: str) -> list[str]:
    """Lowercase words: runs of [a-z0-9], so case and punctuation never split one shingle into two."""
    return re.findall(r"[a-z0-9]+", text.lower())


def shingles(text: str, k: int = 3) -> set[str]:
    tokens = _words(text)
    if len(tokens) < k:
        return {" ".join(tokens)} if tokens else set()
    return {" ".join(tokens[i:i + k]) for i in range(len(tokens) - k + 1)}


def jaccard(a: set, b: set) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def _hash_family(hashes: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """h_i(x) = (a_i * x + b_i) mod P for every shingle hash x (rows) and hash function i (columns)."""
    return (np.outer(hashes, a) + b) % P


def minhash_signature(shingle_set: set[str], a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if not shingle_set:
        return np.full(len(a), P, dtype=np.int64)
    hashes = np.array([base_hash(s) for s in shingle_set], dtype=np.int64)
    return _hash_family(hashes, a, b).min(axis=0)


def estimate_jaccard(sig1: np.ndarray, sig2: np.ndarray) -> float:
    return float(np.mean(sig1 == sig2))


def lsh_probability(s: float, bands: int, rows: int) -> float:
    return 1.0 - (1.0 - s ** rows) ** bands


def lsh_candidates(signatures: np.ndarray, bands: int) -> list[tuple[int, int]]:
    n, num_perm = signatures.shape
    if num_perm % bands:
        raise ValueError(f"num_perm={num_perm} is not divisible by bands={bands}")
    rows = num_perm // bands
    pairs = set()
    for band in range(bands):
        buckets = defaultdict(list)
        for doc in range(n):
            buckets[tuple(signatures[doc, band * rows:(band + 1) * rows].tolist())].append(doc)
        for members in buckets.values():
            for x in range(len(members)):
                for y in range(x + 1, len(members)):
                    pairs.add((members[x], members[y]))
    return sorted(pairs)


def clusters(n: int, pairs: list[tuple[int, int]]) -> list[list[int]]:
    parent = list(range(n))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j in pairs:
        parent[find(i)] = find(j)
    groups = defaultdict(list)
    for i in range(n):
        groups[find(i)].append(i)
    return sorted(g for g in groups.values() if len(g) > 1)


def _verified(candidates: list[tuple[int, int]], sets: list[set], threshold: float) -> list[tuple[int, int]]:
    """The LSH candidates whose real Jaccard similarity reaches the threshold (LSH only suggests pairs)."""
    return [(i, j) for i, j in candidates if jaccard(sets[i], sets[j]) >= threshold]


def _kept(n: int, groups: list[list[int]]) -> list[int]:
    """The documents left when each cluster keeps only its first (lowest-index) document."""
    removed = {i for group in groups for i in group[1:]}
    return [i for i in range(n) if i not in removed]


def deduplicate(docs: list[str], k: int = 3, num_perm: int = 128, bands: int = 32,
                threshold: float = 0.5, seed: int = 1) -> list[int]:
    sets = [shingles(d, k) for d in docs]
    a, b = make_hash_params(num_perm, seed)
    signatures = np.stack([minhash_signature(s, a, b) for s in sets]) if docs else np.zeros((0, num_perm), np.int64)
    pairs = _verified(lsh_candidates(signatures, bands), sets, threshold)
    return _kept(len(docs), clusters(len(docs), pairs))
