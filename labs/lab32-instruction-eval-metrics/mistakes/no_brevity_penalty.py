"""Common mistake (lab 32): BLEU without the brevity penalty."""
# overrides solution.py: only what differs from the reference solution is below


def bleu_from_stats(matches, totals, hyp_len, ref_len, effective_order=False):
    """BLEU (0-100) from summed statistics, with 'exp' smoothing."""
    if not any(matches):
        return 0.0
    log_precisions, smooth = [], 1.0
    for n in range(MAX_ORDER):
        if totals[n] == 0:
            if effective_order:
                break
            return 0.0
        if matches[n] == 0:
            smooth *= 2
            log_precisions.append(math.log(100.0 / (smooth * totals[n])))
        else:
            log_precisions.append(math.log(100.0 * matches[n] / totals[n]))
    order = len(log_precisions) if effective_order else MAX_ORDER
    return math.exp(sum(log_precisions) / order)          # short hypotheses are never penalised
