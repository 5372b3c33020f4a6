"""Common mistake (lab 33): merge() adds B A into W but there is no merged flag, so forward still adds
the LoRA path (the update counts twice) and a second merge() adds it again."""
# overrides solution.py: only what differs from the reference solution is below


class LoRALinear(LoRALinear):  # noqa: F821 - the reference class, appended below it
    def forward(self, x):
        return self.base(x) + self.scaling * (self.lora_dropout(x) @ self.lora_A.T @ self.lora_B.T)

    @torch.no_grad()  # noqa: F821
    def merge(self):
        self.base.weight += self.delta_weight()

    @torch.no_grad()  # noqa: F821
    def unmerge(self):
        self.base.weight -= self.delta_weight()
