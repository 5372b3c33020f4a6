"""Common mistake (lab 29): the decoder is pooled at its first position, like a BERT [CLS] token. In a
causal model that position has attended to nothing but the first word."""
# overrides solution.py: only what differs from the reference solution is below


def pool(hidden, attention_mask, kind):
    if kind == "encoder":
        weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
        return (hidden * weights).sum(dim=1) / weights.sum(dim=1)
    return hidden[:, 0]                                       # "the [CLS] position"
