"""Common mistake: shingles are built from text.split(): case and punctuation leak in."""
# overrides solution.py: only what differs from the reference solution is below


def shingles(text: str, k: int = 3) -> set[str]:
    tokens = text.split()
    if len(tokens) < k:
        return {" ".join(tokens)} if tokens else set()
    return {" ".join(tokens[i:i + k]) for i in range(len(tokens) - k + 1)}
