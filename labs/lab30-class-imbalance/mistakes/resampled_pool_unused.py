"""Common mistake (lab 30): the resampled indices are computed, but the batches still come from the original data."""
# overrides solution.py: only what differs from the reference solution is below


def train_classifier(model, x, y, num_classes, method, *, steps, lr, batch_size, generator):
    """Train `model` on (x, y) with one imbalance strategy; returns the list of training losses."""
    weights = class_weights(y, num_classes)
    if method == "oversample":
        pool = random_oversample(y, generator)
    elif method == "undersample":
        pool = random_undersample(y, generator)
    losses = []
    for step in range(steps):
        batch = torch.randint(len(y), (batch_size,), generator=generator)      # the pool is never used
        logits = model(x[batch])
        if method == "weighted":
            loss = weighted_cross_entropy(logits, y[batch], weights)
        elif method == "focal":
            loss = focal_loss(logits, y[batch], gamma=2.0, alpha=weights)
        else:
            loss = F.cross_entropy(logits, y[batch])
        model.zero_grad()
        loss.backward()
        sgd_step(model, lr)
        losses.append(loss.item())
    return losses
