"""Common mistake (lab 18): post-norm blocks (the original Transformer's), not the pre-norm the lab specifies."""
# overrides solution.py: only what differs from the reference solution is below


class ResidualBlock(ResidualBlock):  # noqa: F821 - the reference class, appended below it
    """Post-norm residual MLP block: norm(x + fc2(relu(fc1(x))))."""

    def forward(self, x):
        return self.norm(x + self.fc2(torch.relu(self.fc1(x))))
