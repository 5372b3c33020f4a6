"""Common mistake (lab 26): every parameter in one group with weight decay, biases and LayerNorm too."""
# overrides solution.py: only what differs from the reference solution is below


def param_groups(model, weight_decay: float) -> list[dict]:
    return [{"params": list(model.parameters()), "weight_decay": weight_decay}]
