"""Lab 60: a tiny text-to-image diffusion model (conditional DDPM): noise schedule, closed-form forward
process, denoising loss, reverse step, sampling loop and training loop.

Fill in every function marked TODO and submit this file as diffusion.py.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from labkit.metrics import log_metrics


def make_schedule(T: int, beta_start: float, beta_end: float) -> dict:
    """The linear DDPM noise schedule, every entry a float64 tensor of shape (T,):
    betas (linspace from beta_start to beta_end), alphas = 1 - betas, alpha_bars = cumprod(alphas),
    posterior_variance = betas * (1 - alpha_bars_prev) / (1 - alpha_bars) with alpha_bars_prev[0] = 1."""
    raise NotImplementedError("make_schedule")  # TODO


def q_sample(x0: torch.Tensor, t: torch.Tensor, noise: torch.Tensor, schedule: dict) -> torch.Tensor:
    """x_t drawn from q(x_t | x0) in closed form, for a batch x0 (B, C, H, W) with per-image steps t (B,)
    long and standard normal noise like x0: sqrt(alpha_bar_t) * x0 + sqrt(1 - alpha_bar_t) * noise.
    Returns a tensor of x0's shape and dtype."""
    raise NotImplementedError("q_sample")  # TODO


def denoising_loss(model, x0, labels, t, noise, schedule) -> torch.Tensor:
    """The DDPM training loss: mean squared error between model(x_t, t, labels) and the noise that made
    x_t = q_sample(x0, t, noise). Returns a 0-dim tensor that carries gradients to the model."""
    raise NotImplementedError("denoising_loss")  # TODO


@torch.no_grad()
def p_sample_step(model, x_t, t: int, labels, schedule, z) -> torch.Tensor:
    """One reverse step x_t -> x_(t-1) at the integer step t for the whole batch:
    eps = model(x_t, t for every image, labels);
    mean = (x_t - beta_t / sqrt(1 - alpha_bar_t) * eps) / sqrt(alpha_t);
    return mean + sqrt(posterior_variance[t]) * z if t > 0, else mean. Do not change x_t in place."""
    raise NotImplementedError("p_sample_step")  # TODO


@torch.no_grad()
def sample(model, labels, schedule, shape, generator) -> torch.Tensor:
    """Ancestral sampling (DDPM Algorithm 2) for one image per label: x_T = randn((B, *shape), generator);
    for t = T-1 .. 0: z = randn((B, *shape), generator) if t > 0 else zeros; x = p_sample_step(...).
    Returns x clamped to [-1, 1], shape (B, *shape), float32."""
    raise NotImplementedError("sample")  # TODO


def train_ddpm(model, images, labels, schedule, *, steps, batch_size, lr, generator) -> list:
    """Train the denoiser with Adam(lr) for `steps` steps (DDPM Algorithm 1). Each step draws, with the
    generator, rows = randint(n, (batch_size,)), t = randint(T, (batch_size,)) and noise = randn of the
    batch's shape, then minimises denoising_loss. Returns one float loss per step; call
    log_metrics(step, loss=...) now and then to see the curve."""
    raise NotImplementedError("train_ddpm")  # TODO
