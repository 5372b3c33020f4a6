"""Common mistake: held-out rows shifted by one."""
# overrides solution.py: only what differs from the reference solution is below


@torch.no_grad()
def next_char_logprobs(model, ids: torch.Tensor, chunk: int = 256) -> torch.Tensor:
    logits, _ = model(ids[None, :])
    return F.log_softmax(logits[0, 1:], dim=-1)
