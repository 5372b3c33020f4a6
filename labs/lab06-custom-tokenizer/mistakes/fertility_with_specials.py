"""Common mistake: special tokens are counted."""
# overrides solution.py: only what differs from the reference solution is below


def fertility(tokenizer: Tokenizer, texts: list[str]) -> float:
    tokens = sum(len(tokenizer.encode(t).ids) for t in texts)
    words = sum(len(t.split()) for t in texts)
    return tokens / words
