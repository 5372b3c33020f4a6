"""Common mistake (lab 21): the pad id stays in the labels."""
# overrides solution.py: only what differs from the reference solution is below


def preprocess(tokenizer, sources, targets=None, max_length=32):
    """Encoder inputs = task prefix + source (+ </s>); labels = target ids + </s>, padding -> -100.
    The model builds decoder_input_ids itself by shifting the labels right (after the start token)."""
    batch = tokenizer([PREFIX + s for s in sources], padding=True, truncation=True, max_length=max_length,
                      return_tensors="pt")
    out = {"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"]}
    if targets is not None:
        labels = tokenizer(text_target=list(targets), padding=True, truncation=True, max_length=max_length,
                           return_tensors="pt")
        out["labels"] = labels["input_ids"]
    return out
