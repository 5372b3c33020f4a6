"""Common mistake (lab 32): token F1 counts the overlap of word sets, not multisets."""
# overrides solution.py: only what differs from the reference solution is below


def token_f1(prediction, reference):
    """Token-level F1 over the normalised tokens."""
    pred_tokens = normalize_answer(prediction).split()
    ref_tokens = normalize_answer(reference).split()
    if not pred_tokens or not ref_tokens:
        return float(pred_tokens == ref_tokens)
    overlap = len(set(pred_tokens) & set(ref_tokens))
    if overlap == 0:
        return 0.0
    precision, recall = overlap / len(pred_tokens), overlap / len(ref_tokens)
    return 2 * precision * recall / (precision + recall)
