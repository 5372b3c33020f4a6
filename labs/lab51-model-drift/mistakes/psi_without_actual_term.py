"""Common mistake (lab 51): PSI weighted by the actual share only, which is KL(actual || expected)."""
# overrides solution.py: only what differs from the reference solution is below


def psi(expected, actual, eps=1e-4):
    e, a = smooth(expected, eps), smooth(actual, eps)
    return float(np.sum(a * np.log(a / e)))
