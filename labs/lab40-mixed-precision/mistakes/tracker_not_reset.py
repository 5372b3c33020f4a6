"""Common mistake (lab 40): on an inf/nan step the scale backs off but the growth tracker keeps counting,
so the scale grows again sooner than growth_interval clean steps after an overflow."""
# overrides solution.py: only what differs from the reference solution is below


class LossScaler(LossScaler):
    def update(self):
        if not self.enabled:
            return
        if any(self._found_inf.values()):
            self.scale_value *= self.backoff_factor
        else:
            self.growth_tracker += 1
            if self.growth_tracker >= self.growth_interval:
                self.scale_value *= self.growth_factor
                self.growth_tracker = 0
        self._found_inf.clear()
        self._stepped.clear()
