"""Common mistake (lab 19): perplexity from the mean of per-batch losses."""
# overrides solution.py: only what differs from the reference solution is below


def _batch_nll(model, batch):
    return model(**batch).loss.item(), 1         # each batch's MEAN loss, counted as if it were one token
