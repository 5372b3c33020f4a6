"""Common mistake (lab 56): every candidate n-gram that occurs in the reference counts, however often it
repeats ("the the the" gets precision 1 against "the cat")."""
# overrides solution.py: only what differs from the reference solution is below


def rouge_n(candidate, reference, n):
    c, r = tokenize(candidate), tokenize(reference)
    c_grams = [tuple(c[i:i + n]) for i in range(len(c) - n + 1)]
    r_grams = {tuple(r[i:i + n]) for i in range(len(r) - n + 1)}
    overlap = sum(g in r_grams for g in c_grams)
    return _prf(overlap, len(c_grams), max(0, len(r) - n + 1))
