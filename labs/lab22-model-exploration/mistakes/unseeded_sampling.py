"""Common mistake (lab 22): no seed before sampling."""
# overrides solution.py: only what differs from the reference solution is below


def _sampling(temperature, top_k, seed):
    return {"temperature": temperature, "top_k": top_k}     # the seed is never used
