"""Common mistake (lab 38): the scheduler multiplies the CURRENT lr by the factor, so factors compound."""
# overrides solution.py: only what differs from the reference solution is below


class WarmupCosineScheduler:
    def __init__(self, optimizer, warmup_steps, total_steps, min_lr_ratio=0.0, num_cycles=0.5):
        self.optimizer = optimizer
        self.args = (warmup_steps, total_steps, min_lr_ratio, num_cycles)
        self.last_step = 0
        self._apply()

    def step(self):
        self.last_step += 1
        self._apply()

    def get_last_lr(self):
        return [group["lr"] for group in self.optimizer.param_groups]

    def _apply(self):
        factor = warmup_cosine_lr(self.last_step, 1.0, *self.args)
        for group in self.optimizer.param_groups:
            group["lr"] = group["lr"] * factor          # compounds: should be group["initial_lr"] * factor
