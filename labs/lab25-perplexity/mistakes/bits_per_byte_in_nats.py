"""Common mistake (lab 25): the NLL is in nats; dividing by the bytes without ln 2 gives nats per byte."""
# overrides solution.py: only what differs from the reference solution is below


def bits_per_byte(total_nll: float, n_bytes: int) -> float:
    return total_nll / n_bytes
