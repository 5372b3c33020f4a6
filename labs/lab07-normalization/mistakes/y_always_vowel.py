"""Common mistake: y is always a vowel."""
# overrides solution.py: only what differs from the reference solution is below


def is_consonant(word: str, i: int) -> bool:
    ch = word[i]
    if ch in "aeiou":
        return False
    return ch != "y"
