"""Common mistake (lab 39): accumulate_gradients never clears .grad, so backward() adds to old gradients."""
# overrides solution.py: only what differs from the reference solution is below


def accumulate_gradients(model, micro_batches, weighting="tokens"):
    scale = _weights(micro_batches, weighting)
    total = 0.0
    for input_ids, labels in micro_batches:
        loss = _summed_loss(model, input_ids, labels, weighting) * scale
        loss.backward()
        total += loss.item()
    return total
