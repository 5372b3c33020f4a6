"""Common mistake: tokenize() does not lowercase."""
# overrides solution.py: only what differs from the reference solution is below


def tokenize(text: str) -> list[str]:
    return WORD.findall(text.replace("\u2019", "'"))
