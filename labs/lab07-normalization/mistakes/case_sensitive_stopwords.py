"""Common mistake: stop words are compared case-sensitively, so with lowercase=False 'The' and 'And' stay."""
# overrides solution.py: only what differs from the reference solution is below


def _is_stopword(token: str, stopwords: frozenset) -> bool:
    return token in stopwords
