"""Common mistake: all whitespace, including line and paragraph breaks, is collapsed to single spaces."""
# overrides solution.py: only what differs from the reference solution is below


def normalize_whitespace(text: str) -> str:
    return " ".join(text.split())
