"""Common mistake (lab 24): the position embeddings are built but never added."""
# overrides solution.py: only what differs from the reference solution is below


class TinyGPT(TinyGPT):  # noqa: F811 - the reference model with another forward
    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        x = self.drop(self.wte(ids))  # every position looks the same to the first block
        for block in self.blocks:
            x = block(x)
        return self.lm_head(self.ln_f(x))
