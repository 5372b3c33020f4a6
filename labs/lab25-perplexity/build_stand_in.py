"""Trains the lab's stand-in model (run by the lab author, not by the platform):

    .venv/bin/python labs/lab25-perplexity/build_stand_in.py

Deterministic (fixed seeds, one thread); writes data/stand_in.safetensors (float16). Training sees
documents of 1-3 windows' length cut at random offsets, so the model has learned to use up to
max_len tokens of context."""
import importlib.util
import random
import sys
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors.torch import save_file

HERE = Path(__file__).parent
STEPS, BATCH, LR = 1500, 32, 3e-3


def load_data_module():
    spec = importlib.util.spec_from_file_location("lab25_stand_in", HERE / "data" / "stand_in.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def main() -> None:
    torch.set_num_threads(1)
    torch.manual_seed(0)
    lm = load_data_module()
    rng = random.Random("stand-in training")
    stream = []
    while len(stream) < 200_000:
        stream += lm.encode(lm.document(rng, rng.randint(3, 12)))
    data = torch.tensor(stream)
    model = lm.new_model()
    window = lm.MODEL_CONFIG["max_len"]
    optimizer = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=LR, total_steps=STEPS, pct_start=0.05)
    gen = torch.Generator().manual_seed(0)
    for step in range(STEPS):
        starts = torch.randint(0, len(data) - window - 1, (BATCH,), generator=gen)
        batch = torch.stack([data[s:s + window + 1] for s in starts])
        logits = model(batch[:, :-1])
        loss = F.cross_entropy(logits.flatten(0, 1), batch[:, 1:].flatten())
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        if step % 100 == 0 or step == STEPS - 1:
            print(f"step {step} loss {loss.item():.3f}", flush=True)
    path = HERE / "data" / lm.WEIGHTS
    save_file({k: v.detach().half().contiguous() for k, v in model.state_dict().items()}, path)
    path.chmod(0o644)  # the sandbox reads it as another user


if __name__ == "__main__":
    main()
