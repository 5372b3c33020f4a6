"""Common mistake: no digit splitting: only the ByteLevel pre-tokenizer, so numbers are merged into
multi-digit tokens."""
# overrides solution.py: only what differs from the reference solution is below

_reference_build_tokenizer = build_tokenizer


def build_tokenizer() -> Tokenizer:
    tokenizer = _reference_build_tokenizer()
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    return tokenizer
