"""Common mistake (lab 20): the attention mask is not passed when predicting."""
# overrides solution.py: only what differs from the reference solution is below


def _probabilities(model, batch):
    return torch.softmax(model(input_ids=batch["input_ids"]).logits, dim=-1)   # [PAD] is attended to
