"""Common mistake (lab 39): every gradient clipped by its OWN norm instead of the global norm."""
# overrides solution.py: only what differs from the reference solution is below


def clip_grad_norm_(parameters, max_norm, norm_type=2.0):
    parameters = list(parameters) if not isinstance(parameters, torch.Tensor) else [parameters]
    total_norm = global_grad_norm(parameters, norm_type)
    for g in _grads(parameters):
        own = torch.linalg.vector_norm(g, float(norm_type))           # this tensor's norm only
        g.detach().mul_(torch.clamp(max_norm / (own + 1e-6), max=1.0).to(g.dtype))
    return total_norm
