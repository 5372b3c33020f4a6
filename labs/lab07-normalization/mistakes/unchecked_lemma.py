"""Common mistake: suffix-rule candidates are not checked against the lemma list, so the first rule whose
suffix matches wins ('sing' -> 'se' by 'ing' -> 'e'...). Below: the check that is missing, always true."""
# overrides solution.py: only what differs from the reference solution is below


def _is_lemma(candidate: str, lemmas: set[str]) -> bool:
    return True
