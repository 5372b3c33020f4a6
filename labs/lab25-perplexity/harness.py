"""Lab 25 harness (runs inside the sandbox). The model is the pre-trained stand-in in data/ (a small
causal transformer trained by build_stand_in.py on topic documents). The harness only collects the
student's numbers; checks.py recomputes every one of them independently, outside the sandbox."""
import importlib.util
import random
import sys
from pathlib import Path

import torch

from labkit.harness import case


def _load_stand_in_module():
    spec = importlib.util.spec_from_file_location("lab25_stand_in", Path(__file__).parent / "data" / "stand_in.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


lm = _load_stand_in_module()
MAX_LEN = lm.MODEL_CONFIG["max_len"]


def _model(ctx):
    return lm.load_stand_in(ctx.data_dir)


def _text(ctx, stream: str, n_sentences: int) -> str:
    rng = random.Random(f"{stream}:{ctx.seed}")
    return lm.document(rng, n_sentences)


def _number(value, what: str) -> float:
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        return float(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    raise TypeError(f"{what} must be a number, got {type(value).__name__}")


def _pair(value, what: str) -> tuple[float, int]:
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise TypeError(f"{what} must return a tuple (total_nll, n_tokens)")
    total, count = value
    if isinstance(count, torch.Tensor) and count.numel() == 1:
        count = int(count)
    if not isinstance(count, int) or isinstance(count, bool):
        raise TypeError(f"{what}: n_tokens must be an int, got {type(count).__name__}")
    return _number(total, f"{what}: total_nll"), count


# ------------------------------------------------------------------ cases

@case
def spans(student, ctx):
    if ctx.visible:
        grid = [(10, 4, 2), (11, 4, 3), (3, 8, 4)]
    else:
        rng = random.Random(f"spans:{ctx.seed}")
        grid = []
        for _ in range(6):
            max_length = rng.randint(3, 40)
            grid.append((rng.randint(2, 3 * max_length), max_length, rng.randint(1, max_length - 1)))
        grid.append((grid[0][1] + 1, grid[0][1], grid[0][1] - 1))  # one token more than a window
    ctx.show(calls=[f"window_spans(n_tokens={n}, max_length={m}, stride={s})" for n, m, s in grid])
    out = []
    for n, m, s in grid:
        result = student.window_spans(n, m, s)
        if not isinstance(result, (list, tuple)) or not all(isinstance(t, (tuple, list)) and len(t) == 3
                                                            for t in result):
            raise TypeError("window_spans must return a list of (begin, end, score_from) tuples")
        out.append({"args": [n, m, s], "spans": [[int(x) for x in t] for t in result]})
    return out


def _sliding(student, ctx, text: str, settings: list[tuple[int, int]]) -> dict:
    model = _model(ctx)
    ids = torch.tensor(lm.encode(text), dtype=torch.long)
    results = []
    for max_length, stride in settings:
        total, count = _pair(student.sliding_window_nll(model, ids.clone(), max_length, stride),
                             "sliding_window_nll")
        results.append({"max_length": max_length, "stride": stride, "nll": total, "tokens": count})
    return {"text": text, "results": results}


@case
def sliding(student, ctx):
    if ctx.visible:
        text, settings = _text(ctx, "sliding", 6), [(8, 7), (8, 2), (MAX_LEN, 16)]
    else:
        rng = random.Random(f"sliding-settings:{ctx.seed}")
        text = _text(ctx, "sliding", rng.randint(20, 40))
        short = rng.randint(4, 12)
        settings = [(short, short - 1), (short, rng.randint(1, short // 2)),
                    (MAX_LEN, rng.choice([8, 12, 16, 24])), (MAX_LEN, MAX_LEN - 1)]
    ctx.show(text=text, calls=[f"sliding_window_nll(model, encode(text), max_length={m}, stride={s})"
                               for m, s in settings])
    return _sliding(student, ctx, text, settings)


@case
def padding(student, ctx):
    if ctx.visible:
        return None  # graded on hidden seeds only
    rng = random.Random(f"padding:{ctx.seed}")
    sequences = [lm.encode(lm.document(rng, rng.randint(1, 3)))[:MAX_LEN] for _ in range(6)]
    model = _model(ctx)
    result = student.batch_nll(model, [list(s) for s in sequences], lm.PAD)
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise TypeError("batch_nll must return a tuple (nll_per_sequence, tokens_per_sequence)")
    nll, counts = result
    for name, value in (("nll_per_sequence", nll), ("tokens_per_sequence", counts)):
        if not isinstance(value, torch.Tensor) or tuple(value.shape) != (len(sequences),):
            raise ValueError(f"batch_nll: {name} must be a tensor of shape ({len(sequences)},), got "
                             f"{tuple(getattr(value, 'shape', ())) or type(value).__name__}")
    return {"sequences": sequences, "nll": nll.detach().double().numpy(), "tokens": counts.detach().long().numpy()}


@case
def report(student, ctx):
    text = _text(ctx, "report", 8 if ctx.visible else random.Random(f"report:{ctx.seed}").randint(15, 30))
    max_length, stride = (16, 4) if ctx.visible else (MAX_LEN, random.Random(f"stride:{ctx.seed}").randint(4, 20))
    ctx.show(text=text, call=f"evaluate_text(model, encode, text, max_length={max_length}, stride={stride})",
             text_bytes=len(text.encode("utf-8")))
    result = student.evaluate_text(_model(ctx), lm.encode, text, max_length, stride)
    keys = {"nll", "tokens", "perplexity", "bits_per_byte"}
    if not isinstance(result, dict) or not keys <= set(result):
        raise TypeError(f"evaluate_text must return a dict with the keys {sorted(keys)}")
    return {"text": text, "max_length": max_length, "stride": stride,
            **{k: _number(result[k], f"evaluate_text()['{k}']") for k in sorted(keys)}}
