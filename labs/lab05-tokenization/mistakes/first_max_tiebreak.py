"""Common mistake: ties go to the first pair counted."""
# overrides solution.py: only what differs from the reference solution is below


def train_bpe(word_counts: dict[str, int], num_merges: int) -> list[tuple[str, str]]:
    vocab = {word_to_symbols(w): c for w, c in word_counts.items() if w}
    merges = []
    for _ in range(num_merges):
        counts = _pair_counts(vocab)
        if not counts:
            break
        best = max(counts, key=counts.get)
        merges.append(best)
        vocab = {_merge(symbols, best): freq for symbols, freq in vocab.items()}
    return merges
