"""Common mistake: forward always starts from a zero state."""
# overrides solution.py: only what differs from the reference solution is below


class CharRNN(CharRNN):  # noqa: F821 - the reference class, appended below it
    def forward(self, ids: torch.Tensor, h: torch.Tensor | None = None):
        return super().forward(ids)     # the h passed in is dropped: every call starts from zeros
