"""Common mistake (lab 22): parameters counted over the state dict."""
# overrides solution.py: only what differs from the reference solution is below


def _total_params(model):
    return sum(t.numel() for t in model.state_dict().values())    # a tied embedding counted twice
