"""Common mistake (lab 17): pad_mask (True = real) passed as key_padding_mask (True = ignore)."""
# overrides solution.py: only what differs from the reference solution is below


def _key_padding_mask(pad_mask):
    return pad_mask                     # True = real token, but torch ignores the keys marked True
