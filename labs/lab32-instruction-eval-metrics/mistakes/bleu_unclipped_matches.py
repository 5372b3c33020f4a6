"""Common mistake (lab 32): n-gram matches are not clipped by the reference counts."""
# overrides solution.py: only what differs from the reference solution is below


def bleu_stats(hypothesis, reference):
    """(matches, totals, hyp_len, ref_len) for one pair."""
    hyp, ref = tokenize_13a(hypothesis), tokenize_13a(reference)
    matches, totals = [], []
    for n in range(1, MAX_ORDER + 1):
        hyp_ngrams, ref_ngrams = ngram_counts(hyp, n), ngram_counts(ref, n)
        matches.append(sum(count for gram, count in hyp_ngrams.items() if gram in ref_ngrams))
        totals.append(max(len(hyp) - n + 1, 0))
    return matches, totals, len(hyp), len(ref)
