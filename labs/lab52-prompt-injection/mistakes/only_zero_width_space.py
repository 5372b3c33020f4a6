"""Common mistake (lab 52): only U+200B is removed; other invisible format characters survive."""
# overrides solution.py: only what differs from the reference solution is below


def normalize_text(text, homoglyphs):
    text = unicodedata.normalize("NFKC", text).replace("\u200b", "")
    return "".join(homoglyphs.get(ch, ch) for ch in text)
