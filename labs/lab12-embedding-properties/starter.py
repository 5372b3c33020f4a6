"""Lab 12: properties of word embeddings. Submit this file as explore.py.

`vectors` is a float32 array (V, 50) whose row i is the vector of vocab[i]. The vectors are NOT unit
length. Use numpy only (no scipy / scikit-learn helpers for cosine or Spearman).
"""
import numpy as np


def load_embeddings(vectors_path: str, vocab_path: str) -> tuple[np.ndarray, list[str]]:
    """Provided: data/vectors.npy and data/vocab.txt -> (vectors, vocab)."""
    vectors = np.load(vectors_path, allow_pickle=False)
    with open(vocab_path, encoding="utf-8") as handle:
        vocab = [line.strip() for line in handle if line.strip()]
    return vectors, vocab


def read_analogies(path: str) -> list[tuple[str, str, str, str, str]]:
    """Provided: data/analogies.txt -> [(category, a, b, c, d), ...] ('a is to b as c is to d')."""
    questions, category = [], ""
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            parts = line.split()
            if parts and parts[0] == ":":
                category = parts[1]
            elif parts:
                questions.append((category, *parts))
    return questions


def cosine(u: np.ndarray, v: np.ndarray) -> float:
    """Cosine similarity of two vectors."""
    raise NotImplementedError("TODO: cosine")


def nearest_neighbors(word: str, vectors: np.ndarray, vocab: list[str], k: int = 5) -> list[tuple[str, float]]:
    """The k words most cosine-similar to `word` (excluding itself), as (word, cosine), best first."""
    raise NotImplementedError("TODO: nearest_neighbors")


def analogy(a: str, b: str, c: str, vectors: np.ndarray, vocab: list[str], k: int = 1) -> list[str]:
    """3CosAdd: the k best answers d to 'a is to b as c is to d', never a, b or c themselves."""
    raise NotImplementedError("TODO: analogy")


def evaluate_analogies(questions, vectors: np.ndarray, vocab: list[str]) -> dict:
    """{'accuracy': float, 'per_category': {category: float}, 'answered': int, 'skipped': int}."""
    raise NotImplementedError("TODO: evaluate_analogies")


def spearman(x, y) -> float:
    """Spearman rank correlation; tied values get the average of their ranks."""
    raise NotImplementedError("TODO: spearman")


def similarity_correlation(pairs, vectors: np.ndarray, vocab: list[str]) -> tuple[float, int]:
    """pairs: [(word1, word2, human_score)] -> (Spearman rho between human scores and cosines, pairs used)."""
    raise NotImplementedError("TODO: similarity_correlation")


if __name__ == "__main__":
    vectors, vocab = load_embeddings("data/vectors.npy", "data/vocab.txt")
    print(nearest_neighbors("king", vectors, vocab))
    print("man : woman :: king :", analogy("man", "woman", "king", vectors, vocab, k=3))
    print(evaluate_analogies(read_analogies("data/analogies.txt"), vectors, vocab))
    pairs = []
    for line in open("data/similarity.tsv", encoding="utf-8"):
        if line.strip() and not line.startswith("#"):
            w1, w2, score = line.split("\t")
            pairs.append((w1, w2, float(score)))
    print("Spearman with human judgements:", similarity_correlation(pairs, vectors, vocab))
