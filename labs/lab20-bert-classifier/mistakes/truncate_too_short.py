"""Common mistake (lab 20): every review is truncated to 8 tokens."""
# overrides solution.py: only what differs from the reference solution is below

_reference_tokenize = _tokenize


def _tokenize(tokenizer, texts, max_length):
    return _reference_tokenize(tokenizer, texts, 8)      # "reviews are short"
