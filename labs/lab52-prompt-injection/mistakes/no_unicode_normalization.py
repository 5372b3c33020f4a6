"""Common mistake (lab 52): no Unicode normalisation, only lower-casing and trimming."""
# overrides solution.py: only what differs from the reference solution is below


def normalize_text(text, homoglyphs):
    return text.strip()
