"""Common mistake (lab 42): grad_sq_norm returns the gradient norm |g|, not |g|^2."""
# overrides solution.py: only what differs from the reference solution is below


def grad_sq_norm(model, loss_fn, inputs, targets):
    model.zero_grad()
    loss_fn(model(inputs), targets).backward()
    grads = [p.grad.flatten() for p in model.parameters() if p.grad is not None]
    return float(torch.linalg.vector_norm(torch.cat(grads)))
