"""Common mistake: NFC instead of NFKC."""
# overrides solution.py: only what differs from the reference solution is below


def normalize_unicode(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text).translate(CHAR_MAP)
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf"))
