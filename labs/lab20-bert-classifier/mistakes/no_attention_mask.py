"""Common mistake (lab 20): the attention mask is not passed when predicting."""
# overrides solution.py: only what differs from the reference solution is below


@torch.no_grad()
def predict_proba(model, tokenizer, texts, batch_size=32):
    """(len(texts), num_labels) float tensor of class probabilities."""
    model.eval()
    chunks = []
    for start in range(0, len(texts), batch_size):
        batch = encode(tokenizer, texts[start:start + batch_size])
        chunks.append(torch.softmax(model(input_ids=batch["input_ids"]).logits, dim=-1))
    return torch.cat(chunks)
