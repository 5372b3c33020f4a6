"""Common mistake (lab 47): the masks are applied once, before fine-tuning, and never again. The pruned
weights get gradients like any other weight, so AdamW moves them away from zero on the first step."""
# overrides solution.py: only what differs from the reference solution is below


def train_pruned(model, masks, optimizer, x, y, *, steps, batch_size, generator):
    model.train()
    losses = []
    for step in range(steps):
        rows = torch.randint(len(y), (batch_size,), generator=generator)
        loss = nn.functional.cross_entropy(model(x[rows]), y[rows])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
