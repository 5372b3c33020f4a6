"""Common mistake (lab 40): step() always unscales, without remembering that unscale_ already ran for this
optimizer (before clipping), so the gradients are divided by the scale twice."""
# overrides solution.py: only what differs from the reference solution is below


class LossScaler(LossScaler):
    def unscale_(self, optimizer):
        if not self.enabled:
            return
        inv_scale = torch.tensor(1.0 / self.scale_value, dtype=torch.float64).float()
        found_inf = False
        with torch.no_grad():
            for group in optimizer.param_groups:
                for param in group["params"]:
                    if param.grad is not None:
                        param.grad.mul_(inv_scale)
                        found_inf = found_inf or not bool(torch.isfinite(param.grad).all())
        self._found_inf[id(optimizer)] = self._found_inf.get(id(optimizer), False) or found_inf

    def step(self, optimizer, *args, **kwargs):
        if not self.enabled:
            return optimizer.step(*args, **kwargs)
        self.unscale_(optimizer)
        if self._found_inf[id(optimizer)]:
            self.skipped_steps += 1
            return None
        return optimizer.step(*args, **kwargs)
