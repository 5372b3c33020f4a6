"""Common mistake (lab 51): eps added to every bin without renormalising."""
# overrides solution.py: only what differs from the reference solution is below


def smooth(p, eps):
    return np.asarray(p, dtype=np.float64) + eps
