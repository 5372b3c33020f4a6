"""Common mistake (lab 22): logits are compared with the same position."""
# overrides solution.py: only what differs from the reference solution is below


def _next_token_nll(model, ids):
    logits = model(input_ids=ids).logits[0].double()         # position t scored against the token AT t
    return -torch.log_softmax(logits, dim=-1).gather(-1, ids[0][:, None]).sum().item(), ids.shape[1]
