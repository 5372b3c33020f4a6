"""Common mistake (lab 35): prefix_params counts only the prefix keys and forgets the values, so at a
"matched" budget prefix tuning really gets twice as many parameters as LoRA and the adapters."""
# overrides solution.py: only what differs from the reference solution is below


def prefix_params(config, n_prefix):
    return config["n_layers"] * n_prefix * config["d_model"]
