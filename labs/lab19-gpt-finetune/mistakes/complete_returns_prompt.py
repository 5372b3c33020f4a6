"""Common mistake (lab 19): complete decodes the whole output, prompt included."""
# overrides solution.py: only what differs from the reference solution is below


def _new_tokens(sequence, encoded):
    return sequence              # the prompt's tokens are decoded too
