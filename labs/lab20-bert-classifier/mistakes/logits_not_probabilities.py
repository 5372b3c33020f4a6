"""Common mistake (lab 20): predict_proba returns logits."""
# overrides solution.py: only what differs from the reference solution is below


@torch.no_grad()
def predict_proba(model, tokenizer, texts, batch_size=32):
    """(len(texts), num_labels) float tensor of class probabilities."""
    model.eval()
    chunks = []
    for start in range(0, len(texts), batch_size):
        batch = encode(tokenizer, texts[start:start + batch_size])
        chunks.append(model(**batch).logits)
    return torch.cat(chunks)
