"""Common mistake: tokenizes with str.split(), keeping case, punctuation and one-letter words."""
# overrides solution.py: only what differs from the reference solution is below


def tokenize(text: str) -> list[str]:
    return text.split()
