"""Common mistake: min_df is compared with the total number of occurrences of a term, not with the number of
documents it occurs in."""
# overrides solution.py: only what differs from the reference solution is below
from collections import Counter


def _document_frequency(docs: list[str], ngram_range: tuple[int, int]) -> dict[str, int]:
    return Counter(term for doc in docs for term in extract_terms(doc, ngram_range))
