"""Common mistake (lab 35): the adapter's up projection keeps nn.Linear's random initialisation, so the
adapter is not the identity at the start and the model no longer begins as the pre-trained one."""
# overrides solution.py: only what differs from the reference solution is below


class BottleneckAdapter(nn.Module):  # noqa: F821
    def __init__(self, d_model, bottleneck):
        super().__init__()
        self.down = nn.Linear(d_model, bottleneck)  # noqa: F821
        self.up = nn.Linear(bottleneck, d_model)  # noqa: F821

    def forward(self, h):
        return h + self.up(F.relu(self.down(h)))  # noqa: F821
