"""Common mistake (lab 19): perplexity from the mean of per-batch losses."""
# overrides solution.py: only what differs from the reference solution is below


@torch.no_grad()
def perplexity(model, tokenizer, texts, batch_size=8):
    """exp(total next-token NLL / number of predicted tokens) over all texts (each ending with eos)."""
    model.eval()
    losses = []
    for start in range(0, len(texts), batch_size):
        batch = make_batch(tokenizer, texts[start:start + batch_size])
        losses.append(model(**batch).loss.item())
    return math.exp(sum(losses) / len(losses))
