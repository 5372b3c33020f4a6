"""Common mistake (lab 18): post-norm blocks (the original Transformer's), not the pre-norm the lab specifies."""
# overrides solution.py: only what differs from the reference solution is below


class ResidualBlock(nn.Module):
    """Post-norm residual MLP block: norm(x + fc2(relu(fc1(x))))."""

    def __init__(self, d_model, norm):
        super().__init__()
        self.norm = make_norm(norm, d_model)
        self.fc1 = nn.Linear(d_model, 2 * d_model)
        self.fc2 = nn.Linear(2 * d_model, d_model)

    def forward(self, x):
        return self.norm(x + self.fc2(torch.relu(self.fc1(x))))
