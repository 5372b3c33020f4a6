"""Common mistake: attention_mask passed as src_key_padding_mask."""
# overrides solution.py: only what differs from the reference solution is below


class TinyEncoder(TinyEncoder):  # noqa: F821 - the reference class, appended below it
    def forward(self, ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(ids.shape[1], device=ids.device)
        x = self.tok(ids) + self.pos(positions)[None]
        x = self.encoder(x, src_key_padding_mask=attention_mask)       # True = real token, but torch hides True
        return self.head(self.norm(x))
