"""Common mistake (lab 22): sampling without top_k, so generate keeps its default top_k=50."""
# overrides solution.py: only what differs from the reference solution is below


def _sampling(temperature, top_k, seed):
    torch.manual_seed(seed)
    return {"temperature": temperature}   # top_k forgotten: generate keeps its default (50)
