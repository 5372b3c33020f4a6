"""Common mistake (lab 18): the "none" model still normalises before the head ("so it does not blow up"),
so the no-norm run is not the plain network the experiment is about."""
# overrides solution.py: only what differs from the reference solution is below


class ResidualMLP(ResidualMLP):  # noqa: F821 - the reference class, appended below it
    def forward(self, x):
        x = self.inp(x)
        for block in self.blocks:
            x = block(x)
        x = self.final_norm(x)
        if isinstance(self.final_norm, nn.Identity):
            x = layer_norm(x)           # "none" normalised anyway, "so it does not blow up"
        return self.head(x)
