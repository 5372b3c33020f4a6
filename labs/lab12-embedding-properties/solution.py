"""Lab 12 reference solution: cosine similarity, neighbours, analogies and similarity correlation."""
import numpy as np


def load_embeddings(vectors_path: str, vocab_path: str) -> tuple[np.ndarray, list[str]]:
    vectors = np.load(vectors_path, allow_pickle=False)
    with open(vocab_path, encoding="utf-8") as handle:
        vocab = [line.strip() for line in handle if line.strip()]
    return vectors, vocab


def cosine(u: np.ndarray, v: np.ndarray) -> float:
    return float(np.dot(u, v) / (np.linalg.norm(u) * np.linalg.norm(v)))


def normalize(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def _unit_vectors(vectors: np.ndarray, vocab: list[str]) -> tuple[np.ndarray, dict[str, int]]:
    """The rows scaled to unit length (float64), so dot products are cosines, and each word's row."""
    return normalize(vectors.astype(np.float64)), {w: i for i, w in enumerate(vocab)}


def _top_k(scores: np.ndarray, exclude: list[int], k: int) -> np.ndarray:
    """The rows of the k highest scores, highest first (ties: lower row first), never a row of exclude."""
    scores = scores.copy()
    scores[exclude] = -np.inf
    return np.argsort(-scores, kind="stable")[:k]


def nearest_neighbors(word: str, vectors: np.ndarray, vocab: list[str], k: int = 5) -> list[tuple[str, float]]:
    unit, index = _unit_vectors(vectors, vocab)
    scores = unit @ unit[index[word]]
    return [(vocab[i], float(scores[i])) for i in _top_k(scores, [index[word]], k)]


def analogy(a: str, b: str, c: str, vectors: np.ndarray, vocab: list[str], k: int = 1) -> list[str]:
    unit, index = _unit_vectors(vectors, vocab)
    target = unit[index[b]] - unit[index[a]] + unit[index[c]]
    return [vocab[i] for i in _top_k(unit @ target, [index[a], index[b], index[c]], k)]


def read_analogies(path: str) -> list[tuple[str, str, str, str, str]]:
    questions, category = [], ""
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            parts = line.split()
            if not parts:
                continue
            if parts[0] == ":":
                category = parts[1]
            else:
                questions.append((category, *parts))
    return questions


def _answered_right(question: tuple[str, str, str, str], known: set[str], vectors: np.ndarray,
                    vocab: list[str]) -> bool | None:
    """Whether analogy(a, b, c) answers d; None (skipped, not wrong) when a word is not in the vocabulary."""
    a, b, c, d = question
    if not {a, b, c, d} <= known:
        return None
    return analogy(a, b, c, vectors, vocab)[0] == d


def evaluate_analogies(questions, vectors: np.ndarray, vocab: list[str]) -> dict:
    known = set(vocab)
    correct: dict[str, int] = {}
    total: dict[str, int] = {}
    skipped = 0
    for category, *question in questions:
        right = _answered_right(question, known, vectors, vocab)
        if right is None:
            skipped += 1
            continue
        total[category] = total.get(category, 0) + 1
        correct[category] = correct.get(category, 0) + right
    answered = sum(total.values())
    return {"accuracy": sum(correct.values()) / answered if answered else 0.0,
            "per_category": {cat: correct[cat] / total[cat] for cat in total},
            "answered": answered, "skipped": skipped}


def rank(values: np.ndarray) -> np.ndarray:
    """Ranks 1..n, ties get the average of the ranks they span."""
    values = np.asarray(values, dtype=np.float64)
    order = np.argsort(values, kind="stable")
    ranks = np.empty(len(values))
    i = 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and values[order[j + 1]] == values[order[i]]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def _pearson(x: np.ndarray, y: np.ndarray) -> float:
    x, y = x - x.mean(), y - y.mean()
    return float((x @ y) / np.sqrt((x @ x) * (y @ y)))


def spearman(x, y) -> float:
    """Pearson correlation of the ranks."""
    return _pearson(rank(x), rank(y))


def similarity_correlation(pairs, vectors: np.ndarray, vocab: list[str]) -> tuple[float, int]:
    index = {w: i for i, w in enumerate(vocab)}
    human, model = [], []
    for a, b, score in pairs:
        if a in index and b in index:
            human.append(score)
            model.append(cosine(vectors[index[a]], vectors[index[b]]))
    return spearman(human, model), len(human)
