"""Common mistake: padding and truncation are switched on and never off."""
# overrides solution.py: only what differs from the reference solution is below


def encode_batch(tokenizer: Tokenizer, texts: list[str], max_length: int) -> dict[str, np.ndarray]:
    tokenizer.enable_truncation(max_length=max_length)
    tokenizer.enable_padding(pad_id=tokenizer.token_to_id("<pad>"), pad_token="<pad>")
    encodings = tokenizer.encode_batch(texts)
    return {"input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64)}
