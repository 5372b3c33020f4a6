"""Common mistake (lab 22): the mask position comes from the words of the text."""
# overrides solution.py: only what differs from the reference solution is below


@torch.no_grad()
def fill_mask(model, tokenizer, text, top_k=3):
    """The top_k most likely words for the single [MASK] in `text`, with their probabilities."""
    encoded = tokenizer(text, return_tensors="pt")
    position = text.split().index("[MASK]")
    probs = torch.softmax(model(**encoded).logits[0, position], dim=-1)
    values, indices = probs.topk(top_k)
    return [(tokenizer.convert_ids_to_tokens(int(i)), float(v)) for v, i in zip(values, indices)]
