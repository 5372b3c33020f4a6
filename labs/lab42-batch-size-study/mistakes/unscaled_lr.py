"""Common mistake (lab 42): every batch size trains with base_lr (only the warmup is applied), so larger
batches take as many times fewer steps of the same size and fall behind on a fixed budget of examples."""
# overrides solution.py: only what differs from the reference solution is below


def train_with_batch_size(model, contexts, targets, *, batch_size, base_batch_size, base_lr, warmup_steps,
                          examples_budget, seed, rule="linear"):
    generator = torch.Generator().manual_seed(seed)
    order = torch.empty(0, dtype=torch.long)
    losses = []
    for step in range(examples_budget // batch_size):
        if len(order) < batch_size:
            order = torch.cat([order, torch.randperm(len(targets), generator=generator)])
        batch, order = order[:batch_size], order[batch_size:]
        loss = torch.nn.functional.cross_entropy(model(contexts[batch]), targets[batch])
        model.zero_grad()
        loss.backward()
        sgd_step(model, warmup_learning_rate(step, base_lr, warmup_steps))     # never scaled
        losses.append(loss.item())
    return losses
