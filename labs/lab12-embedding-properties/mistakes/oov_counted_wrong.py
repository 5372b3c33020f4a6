"""Common mistake: questions with unknown words count as wrong answers."""
# overrides solution.py: only what differs from the reference solution is below


def evaluate_analogies(questions, vectors: np.ndarray, vocab: list[str]) -> dict:
    known = set(vocab)
    correct: dict[str, int] = {}
    total: dict[str, int] = {}
    skipped = 0
    for category, a, b, c, d in questions:
        total[category] = total.get(category, 0) + 1
        if not {a, b, c, d} <= known:
            correct[category] = correct.get(category, 0)
            continue
        correct[category] = correct.get(category, 0) + (analogy(a, b, c, vectors, vocab)[0] == d)
    answered = sum(total.values())
    return {"accuracy": sum(correct.values()) / answered if answered else 0.0,
            "per_category": {cat: correct[cat] / total[cat] for cat in total},
            "answered": answered, "skipped": skipped}
