"""Lab 31 harness (runs inside the sandbox). It runs the student's chat template, label masking, packing
and loss on seeded conversations, then instruction-tunes the pre-trained base model (data/base.safetensors)
with the configuration of this size (ctx.config: CPU-sized in CI, GPU-sized with bf16 autocast on a GPU
worker) and returns the tuned weights. checks.py measures, outside the sandbox, how well they answer
held-out instructions whose answers never enter the sandbox, against the base model."""
from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent / "data"))
import tinychat  # noqa: E402

from labkit.harness import case  # noqa: E402

VOCAB = tinychat.vocabulary()
INDEX = {word: i for i, word in enumerate(VOCAB)}
PAD_ID = INDEX[tinychat.PAD]
AMP_DTYPES = {"bf16": torch.bfloat16}
VISIBLE_CHAT = [{"role": "system", "content": "answer briefly ."},
                {"role": "user", "content": "what does the fox eat ?"},
                {"role": "assistant", "content": "the fox eats berries ."}]
CONTENT_WORDS = tinychat.ANIMALS + tinychat.PLACES + tinychat.FOODS + tinychat.COLOURS + ["the", ".", "?", "is"]


def _random_chat(rng: random.Random, turns: int, system: bool, final_assistant: bool = True) -> list[dict]:
    def text() -> str:
        return " ".join(rng.choice(CONTENT_WORDS) for _ in range(rng.randint(1, 6)))

    messages = [{"role": "system", "content": text()}] if system else []
    for turn in range(turns):
        messages.append({"role": "user", "content": text()})
        if turn < turns - 1 or final_assistant:
            messages.append({"role": "assistant", "content": text()})
    return messages


def _copy(messages: list[dict]) -> list[dict]:
    return [dict(m) for m in messages]


def _int_list(value, what: str) -> list[int]:
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise TypeError(f"{what} must be a list of Python ints")
    return list(value)


def _tokenized(student, messages: list[dict]) -> tuple[list[int], list[int]]:
    result = student.tokenize_chat(_copy(messages), dict(INDEX))
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise TypeError("tokenize_chat must return a tuple (input_ids, labels) of two lists of ints")
    ids, labels = _int_list(result[0], "tokenize_chat's input_ids"), _int_list(result[1], "tokenize_chat's labels")
    if len(ids) != len(labels):
        raise ValueError(f"tokenize_chat returned {len(ids)} input_ids but {len(labels)} labels: labels are aligned "
                         "with input_ids, one per token (the shift happens in the loss)")
    return ids, labels


def _packed(student, examples, block_size: int) -> tuple[torch.Tensor, torch.Tensor]:
    result = student.pack_examples([(list(i), list(l)) for i, l in examples], block_size, PAD_ID)
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise TypeError("pack_examples must return a tuple (input_ids, labels) of two tensors")
    out = []
    for value, what in zip(result, ("input_ids", "labels")):
        if not isinstance(value, torch.Tensor) or value.dtype != torch.long or value.dim() != 2:
            got = f"{value.dtype} tensor of shape {tuple(value.shape)}" if isinstance(value, torch.Tensor) else \
                type(value).__name__
            raise TypeError(f"pack_examples' {what} must be a 2-D torch.long tensor (n_blocks, block_size), got {got}")
        if value.shape[1] != block_size:
            raise ValueError(f"pack_examples' {what} has shape {tuple(value.shape)}: every block holds block_size="
                             f"{block_size} tokens")
        out.append(value.detach().cpu())
    if out[0].shape != out[1].shape:
        raise ValueError(f"pack_examples returned input_ids {tuple(out[0].shape)} and labels {tuple(out[1].shape)}: "
                         "they must have the same shape")
    return out[0], out[1]


# ------------------------------------------------------------------ cases

@case
def template(student, ctx):
    if ctx.visible:
        chats = [(VISIBLE_CHAT, False), (VISIBLE_CHAT[:2], True)]
    else:
        rng = random.Random(f"template:{ctx.seed}")
        chats = [(_random_chat(rng, rng.randint(1, 3), rng.random() < 0.5), False),
                 (_random_chat(rng, rng.randint(1, 2), rng.random() < 0.5, final_assistant=False), True)]
    ctx.show(render_chat_calls=[f"render_chat({m}, add_generation_prompt={g})" for m, g in chats])
    rendered = []
    for messages, generation_prompt in chats:
        text = student.render_chat(_copy(messages), add_generation_prompt=generation_prompt)
        if not isinstance(text, str):
            raise TypeError(f"render_chat must return a str, got {type(text).__name__}")
        rendered.append(text)
    return {"rendered": rendered}


@case
def masking(student, ctx):
    if ctx.visible:
        messages = VISIBLE_CHAT
    else:
        rng = random.Random(f"masking:{ctx.seed}")
        messages = _random_chat(rng, rng.randint(2, 3), rng.random() < 0.5)
    ctx.show(tokenize_chat_call=f"tokenize_chat({messages}, vocab)")
    ids, labels = _tokenized(student, messages)
    roles = [m["role"] for m in messages]
    return {"input_ids": ids, "labels": labels, "tokens": [VOCAB[i] if 0 <= i < len(VOCAB) else "?" for i in ids],
            "roles": roles}


@case
def packing(student, ctx):
    if ctx.visible:
        return None  # graded on hidden seeds only
    rng = random.Random(f"packing:{ctx.seed}")
    block_size = rng.choice([12, 16, 20])
    examples = []
    for _ in range(rng.randint(5, 9)):
        n = rng.randint(3, block_size + 4)  # some examples are longer than a block
        ids = [rng.randrange(len(tinychat.SPECIALS), len(VOCAB)) for _ in range(n)]
        cut = rng.randint(1, n - 1)
        examples.append((ids, [-100] * cut + ids[cut:]))
    ids, labels = _packed(student, examples, block_size)
    return {"input_ids": ids.numpy(), "labels": labels.numpy(), "examples": [list(e) for e in examples],
            "block_size": block_size, "pad_id": PAD_ID}


@case
def loss(student, ctx):
    gen = ctx.torch_generator()
    b, t, v = (2, 6, 7) if ctx.visible else (3, 10, 13)
    logits = torch.randn(b, t, v, generator=gen) * 2
    labels = torch.randint(0, v, (b, t), generator=gen)
    labels[torch.rand(b, t, generator=gen) < 0.5] = -100
    labels[:, 0] = -100
    ctx.show(loss_logits_shape=list(logits.shape), loss_labels=labels.tolist())
    value = student.sft_loss(logits.clone().requires_grad_(), labels.clone())
    if not isinstance(value, torch.Tensor) or value.dim() != 0:
        raise TypeError("sft_loss must return a 0-dim torch tensor (so that .backward() works)")
    if not value.requires_grad:
        raise ValueError("sft_loss returned a tensor without a graph: compute it with torch operations on the logits")
    return {"loss": float(value.detach()), "logits": logits.numpy(), "labels": labels.numpy()}


@case
def tuning(student, ctx):
    cfg = ctx.config
    rows = [json.loads(line) for line in (ctx.data_dir / "sft_train.jsonl").read_text(encoding="utf-8").splitlines()]
    random.Random(f"tuning:{ctx.seed}").shuffle(rows)
    examples = [_tokenized(student, row["messages"]) for row in rows[: cfg["n_conversations"]]]
    input_ids, labels = _packed(student, examples, cfg["block_size"])
    amp_dtype = AMP_DTYPES.get(cfg.get("amp")) if ctx.device == "cuda" else None
    train = {k: cfg[k] for k in ("steps", "batch_size", "lr", "max_grad_norm")}
    ctx.show(tuning=f"{len(examples)} conversations -> tokenize_chat -> pack_examples(block_size={cfg['block_size']}) "
                    f"-> {tuple(input_ids.shape)} blocks; instruction_tune(base model, input_ids, labels, "
                    f"{', '.join(f'{k}={v}' for k, v in train.items())}, generator, device='{ctx.device}', "
                    f"amp_dtype={amp_dtype})")
    model = tinychat.load_base(ctx.data_dir)
    losses = student.instruction_tune(model, input_ids, labels, **train,
                                      generator=torch.Generator().manual_seed(ctx.seed), device=ctx.device,
                                      amp_dtype=amp_dtype)
    if not isinstance(losses, (list, tuple)) or len(losses) != cfg["steps"]:
        raise TypeError(f"instruction_tune must return the list of its {cfg['steps']} training losses")
    return {"losses": [float(v) for v in losses],
            "weights": {k: v.detach().float().cpu() for k, v in model.state_dict().items()}}
