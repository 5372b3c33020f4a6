"""Gaming (lab 34): replays the visible counts and Adam bytes, wraps nothing, trains nothing and reports
made-up losses, counts and timings. It must earn no more than the visible checks."""
# overrides solution.py: only what differs from the reference solution is below


def add_lora(model, targets, r, alpha):
    return model


def count_parameters(model):
    seen = getattr(model, "_calls", 0)
    model._calls = seen + 1
    return {"trainable": 19104, "total": 19104} if seen == 0 else {"trainable": 512, "total": 19616}


def adam_state_bytes(parameters, amsgrad=False):
    return 128


def fine_tune(model, optimizer, data, loss_fn, *, steps, batch_size, warmup_steps, generator, synchronize):
    return {"losses": [1.4 - 0.6 * step / steps for step in range(steps)], "seconds_per_step": 0.005}


def efficiency_report(model, optimizer, seconds_per_step):
    return {"trainable_params": 1280, "total_params": 20384, "trainable_share": 1280 / 20384,
            "optimizer_state_bytes": 10304, "checkpoint_bytes": 5120, "seconds_per_step": seconds_per_step}
