"""Common mistake: falls back to shorter suffixes when a condition fails."""
# overrides solution.py: only what differs from the reference solution is below


def _apply_longest(word: str, rules: list[tuple[str, str]], condition) -> str:
    """Only the rule with the longest matching suffix is considered; if its condition fails, nothing happens."""
    for suffix, replacement in sorted(rules, key=lambda r: -len(r[0])):
        if word.endswith(suffix):
            stem = word[: len(word) - len(suffix)]
            if condition(stem, suffix):
                return stem + replacement
    return word
