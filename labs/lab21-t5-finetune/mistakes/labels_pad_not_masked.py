"""Common mistake (lab 21): the pad id stays in the labels."""
# overrides solution.py: only what differs from the reference solution is below

_reference_targets = _targets


def _targets(tokenizer, targets, max_length):
    labels = _reference_targets(tokenizer, targets, max_length)["labels"]
    return {"labels": labels.masked_fill(labels == -100, tokenizer.pad_token_id)}   # padding keeps the pad id
