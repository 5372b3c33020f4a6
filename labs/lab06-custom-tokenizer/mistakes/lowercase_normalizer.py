"""Common mistake: a Lowercase normalizer after NFKC, so decode(encode(text)) no longer gives the text back."""
# overrides solution.py: only what differs from the reference solution is below

_reference_build_tokenizer = build_tokenizer


def build_tokenizer() -> Tokenizer:
    tokenizer = _reference_build_tokenizer()
    tokenizer.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase()])
    return tokenizer
