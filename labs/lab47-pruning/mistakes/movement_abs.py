"""Common mistake (lab 47): movement scores ranked by their absolute value. |S| is large for weights moving
fast in either direction, so weights heading to zero are kept too: that is not movement pruning."""
# overrides solution.py: only what differs from the reference solution is below


def movement_prune(model, optimizer, x, y, *, names, steps, batch_size, sparsity, generator):
    params = dict(model.named_parameters())
    scores = {name: torch.zeros_like(params[name]) for name in names}
    model.train()
    for step in range(steps // 2):
        rows = torch.randint(len(y), (batch_size,), generator=generator)
        loss = nn.functional.cross_entropy(model(x[rows]), y[rows])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        with torch.no_grad():
            for name in names:
                scores[name] -= params[name].grad * params[name]
        optimizer.step()
    masks = topk_masks({name: s.abs() for name, s in scores.items()}, sparsity, "global")
    apply_masks(model, masks)
    train_pruned(model, masks, optimizer, x, y, steps=steps - steps // 2, batch_size=batch_size, generator=generator)
    return masks
