"""Common mistake: special tokens can be selected."""
# overrides solution.py: only what differs from the reference solution is below


def _select(input_ids: torch.Tensor, generator: torch.Generator, mlm_prob: float) -> torch.Tensor:
    return torch.rand(input_ids.shape, generator=generator) < mlm_prob      # [CLS], [SEP], [PAD] included
