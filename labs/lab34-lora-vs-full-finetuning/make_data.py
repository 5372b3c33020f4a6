"""Pre-trains the lab's base models on the general domain and writes data/base_cpu.safetensors and
data/base_gpu.safetensors, one per size in lab.yaml `configs` (trusted, run once by the lab author:
`python make_data.py`, about a minute on 2 CPU cores). Deterministic for a given torch build."""
from __future__ import annotations

import random
import sys
from pathlib import Path

import torch
import yaml

LAB = Path(__file__).resolve().parent
sys.path.insert(0, str(LAB / "data"))

from tinylm import build_model, encode, general_sentence, lm_loss  # noqa: E402

PRETRAIN = {"cpu": dict(steps=600, batch=64, lr=3e-3), "gpu": dict(steps=800, batch=64, lr=1e-3)}


def pretrain(config: dict, steps: int, batch: int, lr: float) -> torch.nn.Module:
    model = build_model(config)
    r = random.Random(0)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0)
    for step in range(steps):
        loss = lm_loss(model, encode([general_sentence(r) for _ in range(batch)]))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % 100 == 0 or step == steps - 1:
            print(f"step {step} loss {loss.item():.3f}")
    return model


if __name__ == "__main__":
    from safetensors.torch import save_file

    torch.set_num_threads(1)
    configs = yaml.safe_load((LAB / "lab.yaml").read_text())["configs"]
    for size, config in configs.items():
        trained = pretrain(config, **PRETRAIN[size])
        save_file({k: v.contiguous() for k, v in trained.state_dict().items()}, str(LAB / "data" / config["base"]))
