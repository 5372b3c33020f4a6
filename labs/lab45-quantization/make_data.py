"""Makes Lab 45's data (run once; the outputs are committed): the training and calibration sets, the test
features (data/) and test labels (private/), and the pre-trained float MLP (data/mlp.safetensors)."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "data"))
sys.dont_write_bytecode = True

import tinymlp  # noqa: E402

N_TRAIN, N_TEST, STEPS, LR, BATCH = 4000, 2000, 1500, 3e-3, 128


def main() -> None:
    import torch
    from safetensors.torch import save_file

    torch.manual_seed(0)
    torch.set_num_threads(1)
    x, y = tinymlp.sample(N_TRAIN, seed=1)
    x_test, y_test = tinymlp.sample(N_TEST, seed=2)
    np.savez(HERE / "data" / "train.npz", x=x, y=y)
    np.save(HERE / "data" / "test_x.npy", x_test)
    (HERE / "private").mkdir(exist_ok=True)
    np.save(HERE / "private" / "test_y.npy", y_test)
    model = tinymlp.build_model()
    opt = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=0.0)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    g = torch.Generator().manual_seed(0)
    for step in range(STEPS):
        idx = torch.randint(0, N_TRAIN, (BATCH,), generator=g)
        loss = torch.nn.functional.cross_entropy(model(xt[idx]), yt[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(HERE / "data" / "mlp.safetensors"))
    (HERE / "data" / "mlp.safetensors").chmod(0o644)     # readable inside the sandbox
    w = {k: v.numpy() for k, v in model.state_dict().items()}
    acc = (tinymlp.numpy_forward(w, x_test).argmax(1) == y_test).mean()
    print("float test accuracy", acc)
    for bits in (8, 4, 3, 2):
        wq = {k: (tinymlp.absmax_per_channel(v, bits) if k.endswith("weight") else v) for k, v in w.items()}
        print(bits, "bit PTQ accuracy", (tinymlp.numpy_forward(wq, x_test).argmax(1) == y_test).mean())


if __name__ == "__main__":
    main()
