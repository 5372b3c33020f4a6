"""Common mistake (lab 32): corpus BLEU as the average of the sentence BLEU scores."""
# overrides solution.py: only what differs from the reference solution is below


def corpus_bleu(hypotheses, references):
    """Corpus BLEU (0-100)."""
    scores = [sentence_bleu(h, r) for h, r in zip(hypotheses, references)]
    return sum(scores) / len(scores)
