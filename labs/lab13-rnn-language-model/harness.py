"""Lab 13 harness (runs inside the sandbox). Text comes from a small random grammar of English-like
sentences (data/grammar.py; seed 0: data/train.txt). The student's character RNN is trained on it and
its weights come back: the checks compute the held-out perplexity from them, outside the sandbox, on
text that never enters it."""
import random

import numpy as np
import torch

from labkit.data import load_module, read_text
from labkit.harness import case

EMB, HIDDEN, STEPS, SEQ_LEN, BATCH, LR = 16, 64, 150, 32, 32, 0.02
PARAMS = {"embed.weight": "nn.Embedding(vocab, emb_dim) named embed",
          "cell.weight_ih": "your RNNCell named cell", "cell.weight_hh": "your RNNCell named cell",
          "cell.bias_ih": "your RNNCell named cell", "cell.bias_hh": "your RNNCell named cell",
          "head.weight": "nn.Linear(hidden, vocab) named head", "head.bias": "nn.Linear(hidden, vocab) named head"}


def training_text(ctx) -> str:
    if ctx.visible:
        return read_text(ctx, "train.txt")
    return load_module(ctx, "grammar.py").generate_text(ctx.seed, 20000)


def corpus(ctx):
    train = training_text(ctx)
    vocab = sorted(set(train))
    return vocab, encode(train, vocab)


def encode(text: str, vocab: list[str]) -> torch.Tensor:
    index = {ch: i for i, ch in enumerate(vocab)}
    return torch.tensor([index[ch] for ch in text], dtype=torch.long)


def long_matrix(value, what: str, shape: tuple) -> np.ndarray:
    if not isinstance(value, torch.Tensor) or value.dtype != torch.long:
        raise TypeError(f"{what} must be a torch.long tensor, got {type(value).__name__} {getattr(value, 'dtype', '')}")
    if tuple(value.shape) != shape:
        raise ValueError(f"{what} has shape {tuple(value.shape)}; expected {shape} (batch_size, seq_len)")
    return value.numpy()


def float_tensor(value, what: str, shape: tuple) -> torch.Tensor:
    if not isinstance(value, torch.Tensor) or not value.is_floating_point():
        raise TypeError(f"{what} must be a float torch tensor, got {type(value).__name__}")
    if tuple(value.shape) != shape:
        raise ValueError(f"{what} has shape {tuple(value.shape)}; expected {shape}")
    return value.detach().float()


def forward(model, ids: torch.Tensor, h=None, what: str = "CharRNN.forward"):
    result = model(ids) if h is None else model(ids, h)
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise TypeError(f"{what} must return a tuple (logits, h_last)")
    return result


# ------------------------------------------------------------------ cases

@case
def batches(student, ctx):
    vocab, train = corpus(ctx)
    ids = train[:2000]
    seq_len, batch = (8, 4) if ctx.visible else (random.Random(ctx.seed).choice([5, 12, 20]), 16)
    ctx.show(batches_call=f"make_batches(ids, seq_len={seq_len}, batch_size={batch}, "
                          f"generator=torch.Generator().manual_seed({ctx.seed})) on the first 2000 training characters")
    calls = {}
    for name, seed in (("first", ctx.seed), ("again", ctx.seed), ("other", ctx.seed + 1)):
        result = student.make_batches(ids.clone(), seq_len, batch, torch.Generator().manual_seed(seed))
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise TypeError("make_batches must return a tuple (inputs, targets)")
        calls[name] = [long_matrix(result[0], "make_batches inputs", (batch, seq_len)),
                       long_matrix(result[1], "make_batches targets", (batch, seq_len))]
    return {"ids": ids.numpy(), "inputs": calls["first"][0], "targets": calls["first"][1],
            "again": calls["again"][0], "other": calls["other"][0]}


@case
def rnn_cell(student, ctx):
    g = torch.Generator().manual_seed(ctx.seed)
    batch, n_in, n_hidden = (2, 3, 4) if ctx.visible else (5, 7, 6)
    cell = student.RNNCell(n_in, n_hidden)
    shapes = {"weight_ih": (n_hidden, n_in), "weight_hh": (n_hidden, n_hidden), "bias_ih": (n_hidden,),
              "bias_hh": (n_hidden,)}
    values = {name: torch.randn(*shape, generator=g) * 0.5 for name, shape in shapes.items()}
    for name, shape in shapes.items():
        param = getattr(cell, name, None)
        if not isinstance(param, torch.Tensor) or tuple(param.shape) != shape:
            raise TypeError(f"RNNCell({n_in}, {n_hidden}) must have a parameter {name} of shape {shape} "
                            "(the same names and shapes as torch.nn.RNNCell)")
        with torch.no_grad():
            param.copy_(values[name])
    x, h = torch.randn(batch, n_in, generator=g), torch.randn(batch, n_hidden, generator=g)
    ctx.show(cell_x=x.numpy().round(4).tolist(), cell_h=h.numpy().round(4).tolist(),
             **{f"cell_{k}": v.numpy().round(4).tolist() for k, v in values.items()})
    return float_tensor(cell(x, h), "RNNCell.forward(x, h)", (batch, n_hidden)).numpy()


@case
def model_shapes(student, ctx):
    vocab_size, batch, steps = 11, 3, 10
    model = student.CharRNN(vocab_size, 8, 16)
    ids = torch.randint(0, vocab_size, (batch, steps), generator=torch.Generator().manual_seed(ctx.seed))
    ctx.show(model_call=f"CharRNN({vocab_size}, emb_dim=8, hidden_size=16)(ids) with ids of shape {(batch, steps)}")
    with torch.no_grad():
        logits, h = forward(model, ids)
        out = {"logits_shape": list(logits.shape), "h_shape": list(h.shape)}
        if tuple(logits.shape) != (batch, steps, vocab_size) or tuple(h.shape) != (batch, 16):
            return out
        changed = ids.clone()
        changed[:, 6:] = (changed[:, 6:] + 1) % vocab_size
        logits2, _ = forward(model, changed)
        out["causal_diff"] = float((logits2[:, :6] - logits[:, :6]).abs().max())
        first, h_mid = forward(model, ids[:, :4])
        rest, h_end = forward(model, ids[:, 4:], h_mid)
        out["carry_diff"] = float(max((torch.cat([first, rest], 1) - logits).abs().max(), (h_end - h).abs().max()))
    return out


@case
def logprobs(student, ctx):
    if ctx.visible:
        return None  # only graded on hidden seeds
    vocab, train = corpus(ctx)
    ids = train[-700:]
    model = student.CharRNN(len(vocab), 8, 24)
    with torch.no_grad():
        logits, _ = forward(model, ids[None, :-1])
        want = torch.log_softmax(logits[0].float(), dim=-1)
    got = float_tensor(student.next_char_logprobs(model, ids.clone()), "next_char_logprobs",
                       (len(ids) - 1, len(vocab)))
    return {"max_diff": float((got - want).abs().max()),
            "row_sum_error": float((got.exp().sum(-1) - 1).abs().max())}


@case
def perplexity(student, ctx):
    vocab, train = corpus(ctx)
    ctx.show(training=f"CharRNN({len(vocab)}, emb_dim={EMB}, hidden_size={HIDDEN}); train_lm(model, train_ids, "
                      f"steps={STEPS}, seq_len={SEQ_LEN}, batch_size={BATCH}, lr={LR}, generator); the grader then "
                      "computes the held-out perplexity from the trained weights", vocab="".join(vocab))
    model = student.CharRNN(len(vocab), EMB, HIDDEN)
    losses = student.train_lm(model, train.clone(), STEPS, SEQ_LEN, BATCH, LR,
                              torch.Generator().manual_seed(ctx.seed))
    if not isinstance(losses, (list, tuple)) or len(losses) != STEPS:
        raise TypeError(f"train_lm must return the list of the {STEPS} training losses")
    state = model.state_dict()
    missing = [name for name in PARAMS if name not in state]
    if missing:
        raise TypeError(f"CharRNN has no parameter {missing[0]} (expected {PARAMS[missing[0]]}); "
                        f"its parameters are {sorted(state)}")
    weights = {name: state[name].detach().float().numpy().copy() for name in PARAMS}
    probe = train[:120]
    with torch.no_grad():
        logits, _ = forward(model, probe[None, :])
    return {"weights": weights, "probe": probe.numpy(), "probe_logits": float_tensor(
        logits[0], "CharRNN logits", (len(probe), len(vocab))).numpy()}
