"""Pre-trains the lab's tiny base model on the general domain and writes data/base.safetensors
(trusted, run once by the lab author: `python make_data.py`). Deterministic for a given torch build."""
from __future__ import annotations

import random
import sys
from pathlib import Path

import torch

DATA = Path(__file__).resolve().parent / "data"
sys.path.insert(0, str(DATA))

from tinylm import WEIGHTS_FILE, build_model, encode, general_sentence, lm_loss  # noqa: E402

STEPS, BATCH, LR = 600, 64, 3e-3


def pretrain() -> torch.nn.Module:
    torch.set_num_threads(1)
    model = build_model()
    r = random.Random(0)
    optimizer = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=0.0)
    for step in range(STEPS):
        loss = lm_loss(model, encode([general_sentence(r) for _ in range(BATCH)]))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % 100 == 0 or step == STEPS - 1:
            print(f"step {step} loss {loss.item():.3f}")
    return model


if __name__ == "__main__":
    from safetensors.torch import save_file

    trained = pretrain()
    save_file({k: v.contiguous() for k, v in trained.state_dict().items()}, str(DATA / WEIGHTS_FILE))
