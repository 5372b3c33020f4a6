"""Common mistake: split_sentences() splits after every . ! ? followed by whitespace."""
# overrides solution.py: only what differs from the reference solution is below


def split_sentences(text: str) -> list[str]:
    pieces = re.split(r"(?<=[.!?])\s+", text)
    return [" ".join(p.split()) for p in pieces if p.strip()]
