"""Common mistake: '</w>' is a separate symbol."""
# overrides solution.py: only what differs from the reference solution is below


def word_to_symbols(word: str) -> tuple[str, ...]:
    return tuple(word) + (EOW,)
