"""The lab 30 task: pooled sentence embeddings of a frozen encoder, simulated as one Gaussian cloud per
class with a skewed class prior (a frequent class, a middle one and a rare one).

Shared by the harness (training data, inside the sandbox) and checks.py, which draws the held-out set
from a random stream of its own, outside the sandbox, so held-out labels never enter it."""
from __future__ import annotations

import numpy as np

CLASSES = ["ok", "complaint", "urgent"]       # "urgent" is the rare class
DIM = 16
TRAIN_SIZE = 2000
HELDOUT_SIZE = 6000


def make_task(seed: int) -> dict:
    """Class centres and the skewed class prior for one seed."""
    rng = np.random.default_rng([seed, 101])
    minority = rng.uniform(0.025, 0.045)
    middle = rng.uniform(0.12, 0.2)
    prior = np.array([1.0 - middle - minority, middle, minority])
    directions = rng.normal(size=(len(CLASSES), DIM))
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    centres = directions * rng.uniform(1.1, 1.4)
    return {"prior": prior, "centres": centres}


def sample(task: dict, n: int, rng: np.random.Generator, min_per_class: int = 0):
    """n embeddings (float32, (n, DIM)) and their labels (int64, (n,)), every class at least min_per_class times."""
    counts = rng.multinomial(n, task["prior"])
    counts = np.maximum(counts, min_per_class)
    counts[0] -= counts.sum() - n
    labels = np.repeat(np.arange(len(counts)), counts)
    rng.shuffle(labels)
    x = task["centres"][labels] + rng.normal(size=(n, DIM))
    return x.astype(np.float32), labels.astype(np.int64)


def training_set(seed: int):
    return sample(make_task(seed), TRAIN_SIZE, np.random.default_rng([seed, 202]), min_per_class=30)
