"""Common mistake: suffix-rule candidates are not checked against the lemma list."""
# overrides solution.py: only what differs from the reference solution is below


def lemmatize(word: str, irregular: dict[str, str], lemmas: set[str]) -> str:
    w = word.lower()
    if w in irregular:
        return irregular[w]
    if w in lemmas:
        return w
    for suffix, replacement in SUFFIX_RULES:
        if not w.endswith(suffix) or len(w) <= len(suffix):
            continue
        stem = w[: -len(suffix)]
        if replacement == "DOUBLE":
            if len(stem) < 2 or stem[-1] != stem[-2]:
                continue
            candidate = stem[:-1]
        else:
            candidate = stem + replacement
        return candidate
    return w
