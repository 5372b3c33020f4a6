"""The lab's images, prompts and denoiser (read-only, public; shared by the harness inside the sandbox
and the checks outside it). Images are `size` x `size` grey-scale pictures of one of four shapes on a
dark background, pixel values in [-1, 1] (background -1, shape +1), with the position and the size of
the shape drawn at random. A prompt names the shape ("a square", "a ring", "a plus", "a bar"); the
denoiser is conditioned on the prompt's id. Sizes come from the lab's configuration (lab.yaml
`configs`)."""
from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

CLASSES = ["square", "ring", "plus", "bar"]
PROMPTS = [f"a {name}" for name in CLASSES]


def encode_prompts(prompts: list[str]) -> torch.Tensor:
    """The text encoder of this tiny text-to-image system: prompt -> class id (long tensor (n,))."""
    ids = []
    for prompt in prompts:
        words = str(prompt).lower().replace(".", " ").split()
        found = [CLASSES.index(w) for w in words if w in CLASSES]
        if len(found) != 1:
            raise ValueError(f"the prompt {prompt!r} must name exactly one of {CLASSES}")
        ids.append(found[0])
    return torch.tensor(ids, dtype=torch.long)


def draw_shape(label: int, size: int, cy: float, cx: float, r: float) -> np.ndarray:
    """One clean image (size, size) float32 in {-1, +1}: shape `label` centred at (cy, cx), radius r."""
    y, x = np.mgrid[0:size, 0:size].astype(np.float64)
    dy, dx = y - cy, x - cx
    name = CLASSES[label]
    if name == "square":
        on = (np.abs(dy) <= r - 0.5) & (np.abs(dx) <= r - 0.5)
    elif name == "ring":
        d = np.sqrt(dy ** 2 + dx ** 2)
        on = (d <= r + 0.3) & (d >= r - 1.1)
    elif name == "plus":
        on = ((np.abs(dy) <= 0.5) & (np.abs(dx) <= r + 0.5)) | ((np.abs(dx) <= 0.5) & (np.abs(dy) <= r + 0.5))
    else:  # bar: a horizontal bar two pixels thick
        on = (dy >= -1.0) & (dy <= 0.0) & (np.abs(dx) <= r + 0.5)
    return np.where(on, 1.0, -1.0).astype(np.float32)


def shape_params(size: int) -> tuple[list[float], list[float]]:
    """The possible centres (per axis) and radii at this image size."""
    mid = (size - 1) / 2.0
    jitter = max(1, size // 6)
    centres = [mid + d for d in range(-jitter, jitter + 1)]
    radii = [r for r in (2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 6.0) if r <= size / 3.0]
    return centres, radii


def make_images(n: int, size: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """n images (n, 1, size, size) float32 in [-1, 1] and their class ids (n,) long, balanced classes."""
    rng = np.random.default_rng(seed)
    centres, radii = shape_params(size)
    labels = np.arange(n) % len(CLASSES)
    rng.shuffle(labels)
    images = np.stack([draw_shape(int(c), size, rng.choice(centres), rng.choice(centres), rng.choice(radii))
                       for c in labels])
    return torch.from_numpy(images[:, None]), torch.from_numpy(labels.astype(np.int64))


def all_variants(size: int) -> tuple[np.ndarray, np.ndarray]:
    """Every clean image the generator can draw at this size (m, size*size) and its class ids (m,)."""
    centres, radii = shape_params(size)
    images, labels = [], []
    for label in range(len(CLASSES)):
        seen = set()
        for cy in centres:
            for cx in centres:
                for r in radii:
                    img = draw_shape(label, size, cy, cx, r)
                    key = img.tobytes()
                    if key not in seen:
                        seen.add(key)
                        images.append(img.reshape(-1))
                        labels.append(label)
    return np.stack(images), np.asarray(labels)


def timestep_embedding(t: torch.Tensor, dim: int, T: int) -> torch.Tensor:
    """Sinusoidal embedding of integer timesteps t (B,) -> (B, dim) float32."""
    half = dim // 2
    freqs = torch.exp(-math.log(1000.0) * torch.arange(half, dtype=torch.float32) / half).to(t.device)
    angles = (t.float() / T * 1000.0)[:, None] * freqs[None, :] / 10.0
    return torch.cat([torch.sin(angles), torch.cos(angles)], dim=1)


class Denoiser(nn.Module):
    """eps_theta(x_t, t, prompt id): an MLP on the flattened noisy image whose hidden layers are shifted by
    an embedding of the timestep and of the prompt. Input x (B, 1, size, size), t (B,) long, labels (B,)
    long; output like x (the predicted noise)."""

    def __init__(self, size: int, hidden: int, T: int, n_classes: int = len(CLASSES), d_embed: int = 32):
        super().__init__()
        self.size, self.T, self.d_embed = size, T, d_embed
        self.prompt = nn.Embedding(n_classes, d_embed)
        self.time = nn.Sequential(nn.Linear(d_embed, d_embed), nn.SiLU())
        self.inp = nn.Linear(size * size, hidden)
        self.cond1 = nn.Linear(2 * d_embed, hidden)
        self.mid = nn.Linear(hidden, hidden)
        self.cond2 = nn.Linear(2 * d_embed, hidden)
        self.out = nn.Linear(hidden, size * size)
        self.act = nn.SiLU()

    def forward(self, x: torch.Tensor, t: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        cond = torch.cat([self.time(timestep_embedding(t, self.d_embed, self.T)), self.prompt(labels)], dim=1)
        h = self.act(self.inp(x.flatten(1)) + self.cond1(cond))
        h = self.act(self.mid(h) + self.cond2(cond))
        return self.out(h).view_as(x)


def build_model(config: dict, seed: int) -> Denoiser:
    torch.manual_seed(seed)
    return Denoiser(config["size"], config["hidden"], config["T"])
