"""Common mistake: every selected token becomes [MASK]."""
# overrides solution.py: only what differs from the reference solution is below


def _replacements(selected: torch.Tensor, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    return selected, torch.zeros_like(selected)         # every selected token becomes [MASK]: no 80/10/10
