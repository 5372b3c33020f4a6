"""Common mistake (lab 39): the clip factor is not clamped at 1, so gradients below max_norm get scaled UP."""
# overrides solution.py: only what differs from the reference solution is below


def clip_grad_norm_(parameters, max_norm, norm_type=2.0):
    parameters = list(parameters) if not isinstance(parameters, torch.Tensor) else [parameters]
    total_norm = global_grad_norm(parameters, norm_type)
    clip_coef = max_norm / (total_norm + 1e-6)          # missing: min(1, ...)
    for g in _grads(parameters):
        g.detach().mul_(clip_coef.to(g.dtype))
    return total_norm
