"""Lab 45's tiny model and data (shared by make_data.py, the harness and checks.py).

The task: 4 classes of points in 16 dimensions, each class a mixture of 3 Gaussian blobs (our own
synthetic data, no download). The model: an MLP 16 -> 64 -> 64 -> 4 with ReLU, pre-trained in float32 by
make_data.py and shipped as data/mlp.safetensors."""
from __future__ import annotations

import numpy as np

D_IN, D_HIDDEN, N_CLASSES, BLOBS = 16, 64, 4, 3


def centers(seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(0.0, 1.3, size=(N_CLASSES, BLOBS, D_IN))


def sample(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    c = centers()
    y = rng.integers(0, N_CLASSES, n)
    blob = rng.integers(0, BLOBS, n)
    x = c[y, blob] + rng.normal(0.0, 1.0, size=(n, D_IN))
    return x.astype(np.float32), y.astype(np.int64)


def build_model():
    from torch import nn

    return nn.Sequential(nn.Linear(D_IN, D_HIDDEN), nn.ReLU(), nn.Linear(D_HIDDEN, D_HIDDEN), nn.ReLU(),
                         nn.Linear(D_HIDDEN, N_CLASSES))


def load_model(data_dir):
    from safetensors.torch import load_file

    model = build_model()
    model.load_state_dict(load_file(str(data_dir / "mlp.safetensors")))
    return model.eval()


LINEARS = ["0", "2", "4"]


def numpy_forward(weights: dict, x: np.ndarray) -> np.ndarray:
    """Logits of the MLP from a dict of numpy weights ('0.weight', '0.bias', ...), in float64."""
    h = x.astype(np.float64)
    for i, name in enumerate(LINEARS):
        h = h @ np.asarray(weights[f"{name}.weight"], dtype=np.float64).T + np.asarray(weights[f"{name}.bias"], dtype=np.float64)
        if i < len(LINEARS) - 1:
            h = np.maximum(h, 0.0)
    return h


def absmax_per_channel(w: np.ndarray, bits: int) -> np.ndarray:
    """Symmetric per-output-channel quantize-dequantize of a weight (out, in), as the lab defines it."""
    w = np.asarray(w, dtype=np.float32)
    qmax = 2 ** (bits - 1) - 1
    scale = np.abs(w).max(axis=1, keepdims=True) / np.float32(qmax)
    scale = np.where(scale == 0, np.float32(1.0), scale).astype(np.float32)
    q = np.clip(np.round(w / scale), -qmax, qmax)
    return (q * scale).astype(np.float32)


def absmax_per_tensor(w: np.ndarray, bits: int) -> np.ndarray:
    """Symmetric per-tensor quantize-dequantize (one scale for the whole weight), as QAT in the lab uses it."""
    w = np.asarray(w, dtype=np.float32)
    qmax = 2 ** (bits - 1) - 1
    scale = np.float32(np.abs(w).max()) / np.float32(qmax)
    scale = np.float32(1.0) if scale == 0 else scale
    return (np.clip(np.round(w / scale), -qmax, qmax) * scale).astype(np.float32)
