"""Lab 23 harness (runs inside the sandbox). The model (data/tiny_lm.py) is given; the student writes
the loop around it. The training case returns the weights the student's code saved as safetensors;
the held-out loss is computed from them by checks.py, outside the sandbox, on sentences that never
enter it."""
import importlib.util
import os
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch

from labkit.harness import case


def _load_tiny_lm():
    path = Path(__file__).parent / "data" / "tiny_lm.py"
    spec = importlib.util.spec_from_file_location("lab23_tiny_lm", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


lm = _load_tiny_lm()
PAD = lm.PAD
STEPS, SAVE_EVERY, BATCH, LR, WEIGHT_DECAY, MAX_GRAD_NORM = 60, 30, 16, 0.01, 0.01, 1.0
N_TRAIN, N_VAL = 1500, 100
WEIGHTS_FILE = "model.safetensors"


def _optimizer(model):
    return torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=WEIGHT_DECAY)


def _run_dir(name: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=f"{name}-", dir=os.getcwd()))


def _random_sequences(gen: torch.Generator, n: int, vocab_size: int, min_len: int, max_len: int) -> list[list[int]]:
    lengths = torch.randint(min_len, max_len + 1, (n,), generator=gen).tolist()
    return [[lm.BOS] + torch.randint(3, vocab_size, (k - 1,), generator=gen).tolist() for k in lengths]


def _tensor(value, what: str, dtype: torch.dtype, shape: tuple) -> np.ndarray:
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{what} must be a torch.Tensor, got {type(value).__name__}")
    if value.dtype != dtype:
        raise TypeError(f"{what} has dtype {value.dtype}; expected {dtype}")
    if tuple(value.shape) != shape:
        raise ValueError(f"{what} has shape {tuple(value.shape)} where {shape} was expected")
    return value.detach().numpy()


def _saved_weights(directory: Path, what: str) -> dict[str, torch.Tensor]:
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    path = directory / WEIGHTS_FILE
    if not path.is_file():
        raise ValueError(f"{what}: no {directory.name}/{WEIGHTS_FILE} was written; save_checkpoint must write the "
                         "model's state_dict there with safetensors.torch.save_file")
    try:
        return load_file(path)
    except (SafetensorError, OSError, ValueError) as exc:
        raise ValueError(f"{what}: {directory.name}/{WEIGHTS_FILE} is not a safetensors file ({exc}); write it "
                         "with safetensors.torch.save_file, not torch.save") from None


def _max_diff(a: dict, b: dict) -> float:
    if set(a) != set(b):
        return float("inf")
    return max(float((a[k].float() - b[k].float()).abs().max()) for k in a)


def _optimizer_diff(first, second) -> float:
    """Largest difference between two AdamW states (moments and step counts), inf if their keys differ."""
    worst = 0.0
    for p, q in zip(first.param_groups[0]["params"], second.param_groups[0]["params"]):
        s, t = first.state.get(p, {}), second.state.get(q, {})
        if set(s) != set(t):
            return float("inf")
        for key in s:
            worst = max(worst, float((torch.as_tensor(s[key]).float() - torch.as_tensor(t[key]).float()).abs().max()))
    return worst


def _losses(value, n: int, what: str) -> list[float]:
    if not isinstance(value, (list, tuple)) or len(value) != n:
        got = f"{len(value)} values" if isinstance(value, (list, tuple)) else type(value).__name__
        raise TypeError(f"{what} must return the list of the losses of the {n} steps it ran; got {got}")
    return [float(x) for x in value]


# ------------------------------------------------------------------ cases

@case
def collate(student, ctx):
    if ctx.visible:
        sequences = [[1, 7, 8, 9, 2], [1, 5, 2], [1, 4, 6, 2]]
    else:
        sequences = [s + [lm.EOS] for s in _random_sequences(ctx.torch_generator(), 7, 40, 2, 9)]
    ctx.show(collate_call=f"collate({sequences}, pad_id={PAD})")
    batch = student.collate([list(s) for s in sequences], PAD)
    if not isinstance(batch, dict) or set(batch) != {"input_ids", "labels", "attention_mask"}:
        raise TypeError("collate must return a dict with exactly the keys 'input_ids', 'labels', 'attention_mask'")
    shape = (len(sequences), max(map(len, sequences)) - 1)
    return {"input_ids": _tensor(batch["input_ids"], "input_ids", torch.long, shape),
            "labels": _tensor(batch["labels"], "labels", torch.long, shape),
            "attention_mask": _tensor(batch["attention_mask"], "attention_mask", torch.bool, shape)}


@case
def loss(student, ctx):
    gen = ctx.torch_generator()
    b, t, v = (2, 4, 5) if ctx.visible else (4, 9, 11)
    logits = torch.randn(b, t, v, generator=gen) * 2
    labels = torch.randint(0, v, (b, t), generator=gen)
    lengths = [t] + torch.randint(1, t, (b - 1,), generator=gen).tolist()
    for row, n in enumerate(lengths):
        labels[row, n:] = -100
    ctx.show(loss_logits_shape=list(logits.shape), loss_labels=labels.tolist())
    value = student.lm_loss(logits.clone().requires_grad_(), labels.clone())
    if not isinstance(value, torch.Tensor) or value.dim() != 0:
        raise TypeError("lm_loss must return a 0-dim torch tensor (so that .backward() works)")
    if not value.requires_grad:
        raise ValueError("lm_loss returned a tensor without a graph: compute it with torch operations on the "
                         "logits (no .item(), no numpy) so that loss.backward() reaches the model")
    return {"loss": float(value.detach()), "logits": logits.numpy(), "labels": labels.numpy()}


@case
def evaluate(student, ctx):
    if ctx.visible:
        return None  # graded on hidden seeds only
    gen = ctx.torch_generator()
    model = lm.build_model(ctx.seed, dropout=0.3)
    sequences = [s + [lm.EOS] for s in _random_sequences(gen, 29, len(lm.vocabulary()), 3, 13)]
    model.train()
    value = student.evaluate(model, [list(s) for s in sequences], 8, PAD)
    if not isinstance(value, (float, int)) and not (isinstance(value, torch.Tensor) and value.numel() == 1):
        raise TypeError(f"evaluate must return a float, got {type(value).__name__}")
    return {"loss": float(value), "training_after": model.training}


@case
def checkpoint(student, ctx):
    if ctx.visible:
        return None  # graded on hidden seeds only; the training case exercises the same functions
    train = lm.token_ids(ctx.seed, "train", 64)
    model, generator = lm.build_model(ctx.seed), torch.Generator().manual_seed(ctx.seed)
    optimizer = _optimizer(model)
    for _ in range(3):  # give the optimizer some state to save
        rows = torch.randint(len(train), (8,), generator=generator).tolist()
        batch = _reference_batch([train[i] for i in rows])
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(batch[0], batch[2]).flatten(0, 1), batch[1].flatten(),
                                          ignore_index=-100).backward()
        optimizer.step()
    directory = _run_dir("checkpoint") / "step_00007"
    student.save_checkpoint(directory, model, optimizer, 7, generator)
    saved = _saved_weights(directory, "save_checkpoint")
    out = {"weights_vs_model": _max_diff(saved, model.state_dict())}

    fresh = lm.build_model(ctx.seed + 1)
    fresh_optimizer = _optimizer(fresh)
    fresh_generator = torch.Generator().manual_seed(ctx.seed + 1)
    step = student.load_checkpoint(directory, fresh, fresh_optimizer, fresh_generator)
    out["step"] = step if isinstance(step, int) else repr(step)
    out["weights_after_load"] = _max_diff(fresh.state_dict(), model.state_dict())
    out["optimizer_after_load"] = _optimizer_diff(optimizer, fresh_optimizer)
    out["generator_same"] = bool(torch.equal(torch.rand(6, generator=generator),
                                             torch.rand(6, generator=fresh_generator)))
    return out


def _reference_batch(sequences):
    """The harness's own padding, used only to give the optimizer state before a checkpoint."""
    width = max(map(len, sequences))
    ids = torch.full((len(sequences), width), PAD, dtype=torch.long)
    for row, seq in enumerate(sequences):
        ids[row, :len(seq)] = torch.tensor(seq)
    labels = ids[:, 1:].masked_fill(ids[:, 1:] == PAD, -100)
    return ids[:, :-1], labels, ids[:, :-1] != PAD


@case
def training(student, ctx):
    train, val = lm.token_ids(ctx.seed, "train", N_TRAIN), lm.token_ids(ctx.seed, "validation", N_VAL)
    settings = dict(steps=STEPS, batch_size=BATCH, pad_id=PAD, save_every=SAVE_EVERY, eval_every=SAVE_EVERY,
                    max_grad_norm=MAX_GRAD_NORM)
    vocab = lm.vocabulary()
    ctx.show(example_sentences=[" ".join(vocab[i] for i in s) for s in train[:3]],
             training=f"model = TinyCausalLM({len(vocab)}, **{lm.MODEL_CONFIG}); optimizer = AdamW(lr={LR}, "
                      f"weight_decay={WEIGHT_DECAY}); fit(model, optimizer, train ({N_TRAIN} sentences), "
                      f"val ({N_VAL}), {', '.join(f'{k}={v}' for k, v in settings.items())}, generator, run_dir); "
                      f"then a fresh model, optimizer and generator resume from run_dir/step_{SAVE_EVERY:05d}")

    model = lm.build_model(ctx.seed)
    run_dir = _run_dir("run")
    losses = _losses(student.fit(model, _optimizer(model), [list(s) for s in train], [list(s) for s in val],
                                 generator=torch.Generator().manual_seed(ctx.seed), run_dir=run_dir, **settings),
                     STEPS, "fit")
    final = _saved_weights(run_dir / f"step_{STEPS:05d}", f"fit (after {STEPS} steps)")
    middle = _saved_weights(run_dir / f"step_{SAVE_EVERY:05d}", f"fit (after {SAVE_EVERY} steps)")

    resumed_model = lm.build_model(ctx.seed + 1)  # other initial weights: only the checkpoint can make them equal
    resumed_dir = _run_dir("resumed")
    resumed_losses = _losses(student.fit(resumed_model, _optimizer(resumed_model), [list(s) for s in train],
                                         [list(s) for s in val], generator=torch.Generator().manual_seed(ctx.seed + 1),
                                         run_dir=resumed_dir, resume_from=run_dir / f"step_{SAVE_EVERY:05d}",
                                         **settings),
                             STEPS - SAVE_EVERY, "fit(..., resume_from=...)")
    resumed = _saved_weights(resumed_dir / f"step_{STEPS:05d}", "fit(..., resume_from=...)")
    return {"losses": losses, "resumed_losses": resumed_losses,
            "weights": {k: v.numpy() for k, v in final.items()},
            "resumed_weights": {k: v.numpy() for k, v in resumed.items()},
            "checkpoint_vs_model": _max_diff(final, model.state_dict()),
            "middle_to_final_change": _max_diff(middle, final) if set(middle) == set(final) else 0.0}
