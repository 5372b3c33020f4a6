"""Common mistake: samples with the global random module, ignoring the rng argument. Below: the
reference generate, handed the module `random` where it should use `rng`."""
# overrides solution.py: only what differs from the reference solution is below


class NgramLM(NgramLM):
    """The reference NgramLM, with generate changed."""

    def generate(self, rng: random.Random, max_len: int = 30) -> list[str]:
        return super().generate(random, max_len)
