"""Common mistake (lab 33): the LoRA path is added without the alpha / r scaling."""
# overrides solution.py: only what differs from the reference solution is below


class LoRALinear(LoRALinear):  # noqa: F821 - the reference class, appended below it
    def delta_weight(self) -> torch.Tensor:  # noqa: F821
        return self.lora_B @ self.lora_A

    def forward(self, x):
        result = self.base(x)
        if self.merged:
            return result
        return result + self.lora_dropout(x) @ self.lora_A.T @ self.lora_B.T
