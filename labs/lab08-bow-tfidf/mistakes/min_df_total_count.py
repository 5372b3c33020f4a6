"""Common mistake: min_df compared with the total number of occurrences, not documents."""
# overrides solution.py: only what differs from the reference solution is below


def build_vocabulary(docs: list[str], ngram_range: tuple[int, int] = (1, 1), min_df: int = 1) -> dict[str, int]:
    df: dict[str, int] = {}
    for doc in docs:
        for term in extract_terms(doc, ngram_range):
            df[term] = df.get(term, 0) + 1
    kept = sorted(term for term, count in df.items() if count >= min_df)
    return {term: i for i, term in enumerate(kept)}
