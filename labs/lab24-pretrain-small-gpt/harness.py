"""Lab 24 harness (runs inside the sandbox). It runs the student's packing, loss and model on seeded
inputs and pre-trains the student's TinyGPT on the story corpus with the configuration of this size
(ctx.config: CPU-sized in CI, GPU-sized with bf16 autocast on a GPU worker). It returns the trained
weights; checks.py measures held-out perplexity from them, outside the sandbox, on stories that never
enter it."""
from __future__ import annotations

import random
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent / "data"))
import storykit  # noqa: E402  (data/ is on the path for the student's `from storykit import Block` too)

from labkit.harness import case  # noqa: E402

VOCAB = storykit.vocabulary()
EOS_ID = VOCAB.index(storykit.EOS)
AMP_DTYPES = {"bf16": torch.bfloat16}


# ------------------------------------------------------------------ validation helpers

def _long_tensor(value, what: str, ndim: int) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{what} must return a torch.Tensor, got {type(value).__name__}")
    if value.dtype != torch.long:
        raise TypeError(f"{what} returned dtype {value.dtype}; token ids are torch.long")
    if value.dim() != ndim:
        raise ValueError(f"{what} returned a {value.dim()}-D tensor of shape {tuple(value.shape)}; expected "
                         f"{ndim}-D (n_blocks, block_size)")
    return value.detach().cpu()


def expected_parameter_shapes(vocab_size: int, d_model: int, n_heads: int, n_layers: int,
                              block_size: int) -> dict[str, tuple]:
    """state_dict names and shapes of the TinyGPT the README describes (tied lm_head listed too)."""
    shapes = {"wte.weight": (vocab_size, d_model), "wpe.weight": (block_size, d_model)}
    block = storykit.Block(d_model, n_heads)
    for i in range(n_layers):
        shapes.update({f"blocks.{i}.{k}": tuple(v.shape) for k, v in block.state_dict().items()})
    shapes.update({"ln_f.weight": (d_model,), "ln_f.bias": (d_model,), "lm_head.weight": (vocab_size, d_model)})
    return shapes


def _check_structure(model, spec: dict) -> None:
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"TinyGPT(...) must build an nn.Module, got {type(model).__name__}")
    want = expected_parameter_shapes(**spec)
    have = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    missing = [k for k in want if k not in have]
    if missing:
        raise ValueError(f"TinyGPT's state_dict has no '{missing[0]}' ({len(missing)} names missing): use the "
                         "attribute names wte, wpe, blocks (an nn.ModuleList of storykit.Block), ln_f and lm_head")
    extra = [k for k in have if k not in want]
    if extra:
        raise ValueError(f"TinyGPT's state_dict has an unexpected '{extra[0]}': the model holds exactly wte, wpe, "
                         "blocks, ln_f and lm_head (lm_head without a bias)")
    for name, shape in want.items():
        if have[name] != shape:
            raise ValueError(f"TinyGPT.{name} has shape {have[name]} where {shape} was expected")


def _is_tied(model) -> bool:
    head, embedding = getattr(model, "lm_head", None), getattr(model, "wte", None)
    return head is not None and embedding is not None and head.weight is embedding.weight


def _seeded_weights(spec: dict, gen: torch.Generator) -> dict[str, torch.Tensor]:
    weights = {name: torch.randn(shape, generator=gen) * 0.3 for name, shape in expected_parameter_shapes(**spec).items()}
    weights["lm_head.weight"] = weights["wte.weight"]
    return weights


def _logits(model, ids: torch.Tensor, vocab_size: int) -> torch.Tensor:
    with torch.no_grad():
        logits = model(ids.clone())
    if not isinstance(logits, torch.Tensor):
        raise TypeError(f"TinyGPT.forward must return a tensor of logits, got {type(logits).__name__}")
    shape = (*ids.shape, vocab_size)
    if tuple(logits.shape) != shape:
        raise ValueError(f"TinyGPT.forward returned logits of shape {tuple(logits.shape)} where {shape} "
                         "(batch, T, vocab_size) was expected")
    return logits.detach().float().cpu()


# ------------------------------------------------------------------ cases

@case
def pack(student, ctx):
    if ctx.visible:
        documents, block_size = [[5, 6, 7], [8, 9], [10, 11, 12, 13], [14]], 4
    else:
        rng = random.Random(f"pack:{ctx.seed}")
        documents = [[rng.randrange(2, len(VOCAB)) for _ in range(rng.randint(1, 14))]
                     for _ in range(rng.randint(6, 12))]
        block_size = rng.choice([5, 7, 8, 16])
    ctx.show(pack_call=f"pack_documents({documents}, eos_id={EOS_ID}, block_size={block_size})")
    blocks = _long_tensor(student.pack_documents([list(d) for d in documents], EOS_ID, block_size),
                          "pack_documents", 2)
    if blocks.shape[1] != block_size:
        raise ValueError(f"pack_documents returned blocks of shape {tuple(blocks.shape)}: each row must hold "
                         f"block_size={block_size} tokens")
    return {"blocks": blocks.numpy(), "documents": documents, "eos_id": EOS_ID, "block_size": block_size}


@case
def loss(student, ctx):
    gen = ctx.torch_generator()
    b, t, v = (2, 5, 7) if ctx.visible else (3, 9, 13)
    logits = torch.randn(b, t, v, generator=gen) * 2
    ids = torch.randint(0, v, (b, t), generator=gen)
    ctx.show(loss_logits_shape=list(logits.shape), loss_ids=ids.tolist())
    value = student.causal_lm_loss(logits.clone().requires_grad_(), ids.clone())
    if not isinstance(value, torch.Tensor) or value.dim() != 0:
        raise TypeError("causal_lm_loss must return a 0-dim torch tensor (so that .backward() works)")
    if not value.requires_grad:
        raise ValueError("causal_lm_loss returned a tensor without a graph: compute it with torch operations on "
                         "the logits (no .item(), no numpy) so that loss.backward() reaches the model")
    return {"loss": float(value.detach()), "logits": logits.numpy(), "ids": ids.numpy()}


@case
def model(student, ctx):
    if ctx.visible:
        spec = dict(vocab_size=11, d_model=8, n_heads=2, n_layers=1, block_size=6)
    else:
        rng = random.Random(f"model:{ctx.seed}")
        heads = rng.choice([2, 4])
        spec = dict(vocab_size=rng.randint(20, 60), d_model=heads * rng.choice([4, 8]), n_heads=heads,
                    n_layers=rng.randint(1, 3), block_size=rng.choice([8, 12, 16]))
    ctx.show(model=f"TinyGPT({', '.join(f'{k}={v}' for k, v in spec.items())}), weights set by the grader, "
                   "eval mode")
    torch.manual_seed(ctx.seed)
    built = student.TinyGPT(**spec)
    _check_structure(built, spec)
    tied = _is_tied(built)
    parameters = sum(p.numel() for p in built.parameters())
    gen = ctx.torch_generator()
    weights = _seeded_weights(spec, gen)
    built.load_state_dict(weights)
    built.eval()
    ids = torch.randint(0, spec["vocab_size"], (2, spec["block_size"]), generator=gen)
    short = ids[:, : spec["block_size"] // 2]
    return {"spec": spec, "tied": tied, "parameters": parameters, "ids": ids.numpy(),
            "weights": {k: v.numpy() for k, v in weights.items() if k != "lm_head.weight"},
            "logits": _logits(built, ids, spec["vocab_size"]).numpy(),
            "short_logits": _logits(built, short, spec["vocab_size"]).numpy()}


@case
def pretraining(student, ctx):
    cfg = ctx.config
    documents = storykit.read_documents(ctx.data_dir / "corpus.txt")
    random.Random(f"documents:{ctx.seed}").shuffle(documents)
    documents = [storykit.encode(d, VOCAB) for d in documents[: cfg["n_documents"]]]
    blocks = _long_tensor(student.pack_documents([list(d) for d in documents], EOS_ID, cfg["block_size"]),
                          "pack_documents", 2)
    spec = dict(vocab_size=len(VOCAB), d_model=cfg["d_model"], n_heads=cfg["n_heads"], n_layers=cfg["n_layers"],
                block_size=cfg["block_size"])
    train = dict(steps=cfg["steps"], batch_size=cfg["batch_size"], lr=cfg["lr"], warmup_steps=cfg["warmup_steps"],
                 weight_decay=cfg["weight_decay"], max_grad_norm=cfg["max_grad_norm"])
    amp_dtype = AMP_DTYPES.get(cfg.get("amp")) if ctx.device == "cuda" else None
    ctx.show(pretraining=f"{len(documents)} stories -> pack_documents(..., eos_id={EOS_ID}, "
                         f"block_size={cfg['block_size']}); TinyGPT({', '.join(f'{k}={v}' for k, v in spec.items())}, "
                         f"dropout={cfg['dropout']}); pretrain(model, blocks, "
                         f"{', '.join(f'{k}={v}' for k, v in train.items())}, generator, device='{ctx.device}', "
                         f"amp_dtype={amp_dtype})")
    torch.manual_seed(ctx.seed)
    built = student.TinyGPT(**spec, dropout=cfg["dropout"])
    _check_structure(built, spec)
    losses = student.pretrain(built, blocks, **train, generator=torch.Generator().manual_seed(ctx.seed),
                              device=ctx.device, amp_dtype=amp_dtype)
    if not isinstance(losses, (list, tuple)) or len(losses) != cfg["steps"]:
        raise TypeError(f"pretrain must return the list of the {cfg['steps']} training losses (one float per step)")
    return {"spec": spec, "tied": _is_tied(built), "losses": [float(v) for v in losses],
            "weights": {k: v.detach().float().cpu() for k, v in built.state_dict().items()}}
