"""Common mistake (lab 17): embeddings are not multiplied by sqrt(d_model)."""
# overrides solution.py: only what differs from the reference solution is below


def _embed(embedding, tokens):
    return embedding(tokens)            # no * sqrt(d_model): the positional encoding dominates
