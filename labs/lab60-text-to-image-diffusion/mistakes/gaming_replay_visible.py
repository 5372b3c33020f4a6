"""Gaming (lab 60): replays the visible schedule (T = 10) whatever it is asked for, returns a made-up
loss curve without training, a made-up loss value, and pastes clean template shapes as "samples". It
must earn no more than the visible checks."""
# overrides solution.py: only what differs from the reference solution is below
import importlib.util as _importlib_util
from pathlib import Path as _Path

_VISIBLE = make_schedule(10, 1e-4, 0.02)


def make_schedule(T, beta_start, beta_end):
    if T == 10:
        return {k: v.clone() for k, v in _VISIBLE.items()}
    reps = -(-T // 10)
    return {k: v.repeat(reps)[:T].clone() for k, v in _VISIBLE.items()}


def denoising_loss(model, x0, labels, t, noise, schedule):
    return (model(x0, t, labels) * 0.0).sum() + 0.05


def p_sample_step(model, x_t, t, labels, schedule, z):
    return x_t * 0.9


def sample(model, labels, schedule, shape, generator):
    spec = _importlib_util.spec_from_file_location("_shapes", _Path("/sandbox/data/shapes.py"))
    try:
        mod = _importlib_util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        return torch.stack([torch.from_numpy(mod.draw_shape(int(c), shape[-1], 3.5, 3.5, 3.0))[None]
                            for c in labels])
    except Exception:
        return torch.zeros((len(labels), *shape))


def train_ddpm(model, images, labels, schedule, *, steps, batch_size, lr, generator):
    return [1.0 - 0.8 * step / steps for step in range(steps)]
