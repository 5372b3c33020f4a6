"""Lab 60 reference solution: a tiny conditional DDPM (noise schedule, closed-form forward process,
denoising loss, ancestral sampling, training loop)."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from labkit.metrics import log_metrics


def make_schedule(T: int, beta_start: float, beta_end: float) -> dict:
    betas = torch.linspace(beta_start, beta_end, T, dtype=torch.float64)
    alphas = 1.0 - betas
    alpha_bars = torch.cumprod(alphas, dim=0)
    alpha_bars_prev = torch.cat([torch.ones(1, dtype=torch.float64), alpha_bars[:-1]])
    posterior_variance = betas * (1.0 - alpha_bars_prev) / (1.0 - alpha_bars)
    return {"betas": betas, "alphas": alphas, "alpha_bars": alpha_bars, "posterior_variance": posterior_variance}


def _at(values: torch.Tensor, t: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """values[t] reshaped to broadcast over an image batch like `like`, in its dtype and device."""
    return values.to(like.device)[t.to(like.device)].to(like.dtype).view(-1, *([1] * (like.dim() - 1)))


def q_sample(x0: torch.Tensor, t: torch.Tensor, noise: torch.Tensor, schedule: dict) -> torch.Tensor:
    alpha_bar = schedule["alpha_bars"].to(x0.device)[t.to(x0.device)].view(-1, *([1] * (x0.dim() - 1)))
    return (alpha_bar.sqrt().to(x0.dtype) * x0 + (1.0 - alpha_bar).sqrt().to(x0.dtype) * noise)


def denoising_loss(model, x0, labels, t, noise, schedule) -> torch.Tensor:
    x_t = q_sample(x0, t, noise, schedule)
    return F.mse_loss(model(x_t, t, labels), noise)


@torch.no_grad()
def p_sample_step(model, x_t, t: int, labels, schedule, z) -> torch.Tensor:
    steps = torch.full((x_t.shape[0],), t, dtype=torch.long, device=x_t.device)
    eps = model(x_t, steps, labels)
    beta, alpha, alpha_bar = (float(schedule[k][t]) for k in ("betas", "alphas", "alpha_bars"))
    mean = (x_t - beta / (1.0 - alpha_bar) ** 0.5 * eps) / alpha ** 0.5
    if t == 0:
        return mean
    return mean + float(schedule["posterior_variance"][t]) ** 0.5 * z


@torch.no_grad()
def sample(model, labels, schedule, shape, generator) -> torch.Tensor:
    T = len(schedule["betas"])
    device = labels.device
    x = torch.randn((len(labels), *shape), generator=generator).to(device)
    for t in reversed(range(T)):
        z = torch.randn((len(labels), *shape), generator=generator).to(device) if t > 0 else torch.zeros_like(x)
        x = p_sample_step(model, x, t, labels, schedule, z)
    return x.clamp(-1.0, 1.0)


def train_ddpm(model, images, labels, schedule, *, steps, batch_size, lr, generator) -> list:
    T = len(schedule["betas"])
    device = images.device
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    for step in range(steps):
        rows = torch.randint(len(images), (batch_size,), generator=generator).to(device)
        t = torch.randint(T, (batch_size,), generator=generator).to(device)
        noise = torch.randn((batch_size, *images.shape[1:]), generator=generator).to(device)
        loss = denoising_loss(model, images[rows], labels[rows], t, noise, schedule)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(float(loss.detach()))
        if step % 25 == 0 or step == steps - 1:
            log_metrics(step, loss=losses[-1])
    return losses
