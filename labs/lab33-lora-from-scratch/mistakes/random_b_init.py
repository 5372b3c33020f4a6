"""Common mistake (lab 33): lora_B is initialised randomly like lora_A, so B A != 0 at the start and the
wrapped model is no longer the pre-trained model before any training."""
# overrides solution.py: only what differs from the reference solution is below


class LoRALinear(LoRALinear):  # noqa: F821 - the reference class, appended below it
    def __init__(self, base, r, alpha, dropout=0.0):
        super().__init__(base, r, alpha, dropout)
        nn.init.kaiming_uniform_(self.lora_B, a=math.sqrt(5))  # noqa: F821
