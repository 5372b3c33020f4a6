"""Common mistake (lab 39): train_step clips after every micro-batch instead of once on the accumulated gradient."""
# overrides solution.py: only what differs from the reference solution is below


def train_step(model, optimizer, input_ids, labels, micro_batch_size, max_norm, weighting="tokens"):
    micro_batches = split_micro_batches(input_ids, labels, micro_batch_size)
    model.zero_grad(set_to_none=True)
    scale = _weights(micro_batches, weighting)
    total, norms = 0.0, []
    for ids, labs in micro_batches:
        loss = _summed_loss(model, ids, labs, weighting) * scale
        loss.backward()
        total += loss.item()
        norms.append(float(clip_grad_norm_(model.parameters(), max_norm)))   # clips the running sum each time
    optimizer.step()
    optimizer.zero_grad()
    return total, norms[-1]
