"""Common mistake (lab 39): each micro-batch's MEAN loss divided by the number of micro-batches k.

Right only when every micro-batch holds the same number of counted tokens (or sequences); with padding or an
uneven last micro-batch the small micro-batch's tokens weigh more than the others'."""
# overrides solution.py: only what differs from the reference solution is below


def accumulate_gradients(model, micro_batches, weighting="tokens"):
    model.zero_grad(set_to_none=True)
    k = len(micro_batches)
    total = 0.0
    for input_ids, labels in micro_batches:
        count = int((labels != IGNORE_INDEX).sum()) if weighting == "tokens" else labels.size(0)
        loss = _summed_loss(model, input_ids, labels, weighting) / count / k
        loss.backward()
        total += loss.item()
    return total
