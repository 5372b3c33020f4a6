"""Gaming (lab 40): replays the visible answers (the visible scale sequence, the visible layer dtypes),
never skips a step, and returns a made-up loss curve without training. It must earn no more than the
visible checks."""
# overrides solution.py: only what differs from the reference solution is below

VISIBLE_SCALES = [1024.0, 1024.0, 1024.0, 512.0, 512.0, 512.0, 1024.0, 1024.0, 512.0, 512.0, 512.0]


class LossScaler(LossScaler):
    def update(self):
        self._calls = getattr(self, "_calls", 0) + 1
        self.scale_value = VISIBLE_SCALES[min(self._calls, len(VISIBLE_SCALES) - 1)]
        self._found_inf.clear()


def autocast_dtypes(model, inputs, device_type, dtype):
    return {"embed": "torch.float32", "hidden": "torch.bfloat16", "norm": "torch.bfloat16",
            "act": "torch.bfloat16", "out": "torch.bfloat16"}


def train_amp(model, optimizer, scaler, contexts, targets, *, steps, batch_size, device_type, dtype,
              max_grad_norm, generator):
    with torch.autocast(device_type=device_type, dtype=dtype):
        model(contexts[:1])
    return [3.5 - 1.5 * step / steps for step in range(steps)]
