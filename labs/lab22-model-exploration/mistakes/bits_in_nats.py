"""Common mistake (lab 22): bits per character left in nats."""
# overrides solution.py: only what differs from the reference solution is below


def _bits_per_char(nll, text):
    return nll / len(text)                        # still nats: no division by ln 2
