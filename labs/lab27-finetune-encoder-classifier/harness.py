"""Lab 27 harness (runs inside the sandbox). The pre-trained encoder and its tokenizer come from
build_artifacts.py (ctx.artifacts_dir / "encoder-tiny"). The harness runs the student's pooling and
classifier on seeded inputs, watches the freezing schedule through the weights, and fine-tunes with
the configuration of this size (ctx.config: CPU-sized in CI, GPU-sized with bf16 autocast on a GPU
worker). It returns predictions on the held-out messages; their labels live only in private/, and
checks.py scores them outside the sandbox."""
from __future__ import annotations

import csv
import random

import torch
from torch import nn

from labkit.harness import case

LABELS = ["billing", "delivery", "technical", "account"]
AMP_DTYPES = {"bf16": torch.bfloat16}


def _encoder(ctx):
    from transformers import BertModel
    from transformers.utils import logging

    logging.set_verbosity_error()
    logging.disable_progress_bar()
    return BertModel.from_pretrained(str(ctx.artifacts_dir / "encoder-tiny"), add_pooling_layer=False)


def _tokenizer(ctx):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(ctx.artifacts_dir / "encoder-tiny"))


def _train_rows(ctx) -> tuple[list[str], list[int]]:
    with open(ctx.data_dir / "train.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [r["text"] for r in rows], [LABELS.index(r["label"]) for r in rows]


def _sample(ctx, name: str, n: int) -> tuple[list[str], list[int]]:
    texts, labels = _train_rows(ctx)
    rows = random.Random(f"{name}:{ctx.seed}").sample(range(len(texts)), n)
    return [texts[i] for i in rows], [labels[i] for i in rows]


def _build(student, ctx, dropout: float):
    encoder = _encoder(ctx)
    torch.manual_seed(ctx.seed)
    model = student.EncoderClassifier(encoder, num_labels=len(LABELS), dropout=dropout)
    if not isinstance(model, nn.Module):
        raise TypeError(f"EncoderClassifier(...) must build an nn.Module, got {type(model).__name__}")
    if getattr(model, "encoder", None) is not encoder:
        raise ValueError("EncoderClassifier must keep the pre-trained encoder it is given as self.encoder "
                         "(the same object: do not copy or rebuild it)")
    head = getattr(model, "head", None)
    hidden = encoder.config.hidden_size
    if not isinstance(head, nn.Linear) or (head.in_features, head.out_features) != (hidden, len(LABELS)):
        got = f"nn.Linear({head.in_features}, {head.out_features})" if isinstance(head, nn.Linear) else type(head).__name__
        raise ValueError(f"EncoderClassifier.head must be nn.Linear({hidden}, {len(LABELS)}) (hidden_size -> "
                         f"num_labels), got {got}")
    return model, encoder


def _encoder_state(encoder) -> dict[str, torch.Tensor]:
    return {k: v.detach().float().cpu().clone() for k, v in encoder.state_dict().items()}


def _max_change(before: dict, after: dict) -> float:
    return max(float((after[k] - before[k]).abs().max()) for k in before)


def _losses(value, steps: int) -> list[float]:
    if not isinstance(value, (list, tuple)) or len(value) != steps:
        raise TypeError(f"fine_tune must return the list of its {steps} training losses (one float per step)")
    return [float(v) for v in value]


# ------------------------------------------------------------------ cases

@case
def pool(student, ctx):
    gen = ctx.torch_generator()
    b, t, h = (2, 4, 3) if ctx.visible else (5, 9, 16)
    hidden = torch.randn(b, t, h, generator=gen)
    lengths = [t] + torch.randint(1, t, (b - 1,), generator=gen).tolist()
    mask = torch.zeros(b, t, dtype=torch.long)
    for row, n in enumerate(lengths):
        mask[row, :n] = 1
    ctx.show(hidden_states=hidden.tolist() if ctx.visible else f"shape {list(hidden.shape)}",
             attention_mask=mask.tolist())
    pooled = student.mean_pool(hidden.clone(), mask.clone())
    if not isinstance(pooled, torch.Tensor):
        raise TypeError(f"mean_pool must return a torch.Tensor, got {type(pooled).__name__}")
    if tuple(pooled.shape) != (b, h):
        raise ValueError(f"mean_pool returned shape {tuple(pooled.shape)} where ({b}, {h}) (batch, hidden) was "
                         "expected")
    return {"pooled": pooled.detach().float(), "hidden": hidden, "mask": mask}


@case
def classifier(student, ctx):
    model, _ = _build(student, ctx, dropout=0.1)
    gen = ctx.torch_generator()
    with torch.no_grad():
        model.head.weight.copy_(torch.randn(model.head.weight.shape, generator=gen) * 0.5)
        model.head.bias.copy_(torch.randn(model.head.bias.shape, generator=gen) * 0.5)
    texts, _ = _sample(ctx, "classifier", 3 if ctx.visible else 6)
    tokenizer = _tokenizer(ctx)
    ctx.show(classifier=f"EncoderClassifier(encoder, num_labels={len(LABELS)}, dropout=0.1) with head weights set by "
                        "the grader, eval mode, one padded batch", texts=texts)
    model.eval()
    batch = tokenizer(texts, padding=True, return_tensors="pt")
    with torch.no_grad():
        logits = model(batch["input_ids"], batch["attention_mask"])
    if not isinstance(logits, torch.Tensor) or tuple(logits.shape) != (len(texts), len(LABELS)):
        got = tuple(logits.shape) if isinstance(logits, torch.Tensor) else type(logits).__name__
        raise ValueError(f"EncoderClassifier.forward returned {got} where logits of shape ({len(texts)}, "
                         f"{len(LABELS)}) (batch, num_labels) were expected")
    return {"logits": logits.detach().float(), "lengths": batch["attention_mask"].sum(1).tolist()}


@case
def freezing(student, ctx):
    if ctx.visible:
        return None  # graded on hidden seeds only
    rng = random.Random(f"freezing:{ctx.seed}")
    freeze_steps, extra = rng.randint(2, 4), 2
    texts, labels = _sample(ctx, "freezing", 64)
    tokenizer = _tokenizer(ctx)
    settings = dict(freeze_steps=freeze_steps, batch_size=8, head_lr=1e-2, encoder_lr=1e-3, max_length=48)
    out = {"freeze_steps": freeze_steps}
    for name, steps in (("frozen_phase", freeze_steps), ("after_unfreezing", freeze_steps + extra)):
        model, encoder = _build(student, ctx, dropout=0.0)
        before, head_before = _encoder_state(encoder), model.head.weight.detach().clone()
        _losses(student.fine_tune(model, tokenizer, list(texts), list(labels), steps=steps, **settings,
                                  generator=torch.Generator().manual_seed(ctx.seed), device="cpu"), steps)
        out[name] = {"encoder_change": _max_change(before, _encoder_state(encoder)),
                     "head_change": float((model.head.weight.detach().cpu() - head_before).abs().max()),
                     "encoder_trainable": all(p.requires_grad for p in encoder.parameters())}
    return out


@case
def finetune(student, ctx):
    cfg = ctx.config
    texts, labels = _sample(ctx, "finetune", cfg["n_train"])
    tokenizer = _tokenizer(ctx)
    model, _ = _build(student, ctx, dropout=cfg["dropout"])
    amp_dtype = AMP_DTYPES.get(cfg.get("amp")) if ctx.device == "cuda" else None
    train = {k: cfg[k] for k in ("steps", "freeze_steps", "batch_size", "head_lr", "encoder_lr", "max_length")}
    ctx.show(finetune=f"EncoderClassifier(encoder-tiny, num_labels={len(LABELS)}, dropout={cfg['dropout']}); "
                      f"fine_tune(model, tokenizer, {len(texts)} labelled messages, "
                      f"{', '.join(f'{k}={v}' for k, v in train.items())}, generator, device='{ctx.device}', "
                      f"amp_dtype={amp_dtype}); predict(...) on the held-out messages")
    losses = _losses(student.fine_tune(model, tokenizer, list(texts), list(labels), **train,
                                       generator=torch.Generator().manual_seed(ctx.seed), device=ctx.device,
                                       amp_dtype=amp_dtype), cfg["steps"])
    test = (ctx.data_dir / "test_texts.txt").read_text(encoding="utf-8").splitlines()
    predictions = student.predict(model, tokenizer, list(test), batch_size=64, max_length=cfg["max_length"],
                                  device=ctx.device)
    if not isinstance(predictions, list) or len(predictions) != len(test):
        raise TypeError(f"predict must return a list of {len(test)} class ids, one per text")
    if not all(isinstance(p, int) and not isinstance(p, bool) and 0 <= p < len(LABELS) for p in predictions):
        raise ValueError(f"predict must return Python ints in 0..{len(LABELS) - 1} (the argmax of the logits)")
    return {"predictions": predictions, "losses": losses}
