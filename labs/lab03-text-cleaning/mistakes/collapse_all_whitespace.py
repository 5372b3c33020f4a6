"""Common mistake: all whitespace, including line breaks, is collapsed to single spaces."""
# overrides solution.py: only what differs from the reference solution is below


def normalize_whitespace(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    text = "".join(" " if ch == "\t" or unicodedata.category(ch) == "Zs" else ch for ch in text)
    return " ".join(text.split())
