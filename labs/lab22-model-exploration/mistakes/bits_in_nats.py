"""Common mistake (lab 22): bits per character left in nats."""
# overrides solution.py: only what differs from the reference solution is below


@torch.no_grad()
def score_text(model, tokenizer, text):
    """Next-token negative log-likelihood of a text under a causal LM (the first token is not predicted)."""
    ids = torch.tensor([tokenizer(text)["input_ids"]])
    logits = model(input_ids=ids).logits[0, :-1].double()
    targets = ids[0, 1:]
    nll = -torch.log_softmax(logits, dim=-1).gather(-1, targets[:, None]).sum().item()
    n = targets.numel()
    return {"n_predicted": n, "nll": nll, "perplexity": math.exp(nll / n),
            "bits_per_char": nll / len(text)}
