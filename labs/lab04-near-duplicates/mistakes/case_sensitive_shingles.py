"""Common mistake: shingles are built from text.split(): case and punctuation leak in ('The', 'the' and
'the,' become different words)."""
# overrides solution.py: only what differs from the reference solution is below


def _words(text: str) -> list[str]:
    return text.split()
