"""Common mistake: every selected token becomes [MASK]."""
# overrides solution.py: only what differs from the reference solution is below


def mask_tokens(input_ids: torch.Tensor, vocab_size: int, generator: torch.Generator, mlm_prob: float = 0.15):
    special = input_ids < N_SPECIAL
    selected = (torch.rand(input_ids.shape, generator=generator) < mlm_prob) & ~special
    labels = torch.where(selected, input_ids, torch.full_like(input_ids, -100))
    action = torch.rand(input_ids.shape, generator=generator)
    to_mask = selected
    to_random = selected & (action > 2.0)
    random_ids = torch.randint(N_SPECIAL, vocab_size, input_ids.shape, generator=generator)
    masked = torch.where(to_mask, torch.full_like(input_ids, MASK), input_ids)
    masked = torch.where(to_random, random_ids, masked)
    return masked, labels
