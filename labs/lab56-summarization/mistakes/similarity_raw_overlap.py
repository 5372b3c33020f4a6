"""Common mistake (lab 56): the edge weight is the raw number of shared words, so long sentences win."""
# overrides solution.py: only what differs from the reference solution is below


def sentence_similarity(a, b):
    return float(len(set(a) & set(b)))
