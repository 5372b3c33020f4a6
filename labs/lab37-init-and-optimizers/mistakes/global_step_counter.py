"""Common mistake (lab 37): one step counter for the whole optimizer instead of one per parameter."""
# overrides solution.py: only what differs from the reference solution is below


@torch.no_grad()
def _global_step(self):
    self.steps_taken = getattr(self, "steps_taken", 0) + 1
    for p in self.params:
        if p.grad is None:
            continue
        state = self.state.setdefault(p, {})
        state["step"] = self.steps_taken        # a parameter that skipped a step is bias-corrected as if it had not
        self._update(p, p.grad, state)


_HandWrittenOptimizer.step = _global_step
