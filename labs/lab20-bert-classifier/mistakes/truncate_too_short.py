"""Common mistake (lab 20): every review is truncated to 8 tokens."""
# overrides solution.py: only what differs from the reference solution is below


def encode(tokenizer, texts, labels=None, max_length=32):
    """[CLS] text [SEP], padded to the longest text, truncated at max_length; labels as class ids."""
    batch = tokenizer(list(texts), padding=True, truncation=True, max_length=8, return_tensors="pt")
    out = {"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"]}
    if labels is not None:
        out["labels"] = torch.tensor([LABELS.index(label) for label in labels], dtype=torch.long)
    return out
