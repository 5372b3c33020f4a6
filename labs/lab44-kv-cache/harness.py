"""Lab 44 harness (inside the sandbox): the student's causal mask, KV cache, cached multi-head attention,
GPT-2 forward pass and greedy generation on the lab's tiny GPT-2 (built by build_artifacts.py, or a real
GPT-2 when the operator configures one). transformers' own forward pass and `generate` run here too, on
the same inputs, and the reference run's values are what the student's are compared with (checks.py).
The speed-up is measured by this harness with its own clock, and the work each generation does is
counted by wrapping the student's `attention` (positions fed through each layer)."""
from __future__ import annotations

import random
import time

import torch

from labkit.harness import case

_MODELS: dict = {}


def _model(ctx):
    name = ctx.config.get("model", "tiny-gpt2")
    if name not in _MODELS:
        import transformers
        from transformers import GPT2LMHeadModel

        transformers.logging.set_verbosity_error()
        transformers.utils.logging.disable_progress_bar()
        model = GPT2LMHeadModel.from_pretrained(str(ctx.artifacts_dir / name), attn_implementation="eager")
        model.generation_config.eos_token_id = None       # generate must not stop early: N tokens per row
        _MODELS[name] = model.to(ctx.device).eval()
    return _MODELS[name]


def _rng(ctx, name):
    return random.Random(f"{ctx.seed}:{name}")


def _gen(ctx, name):
    return torch.Generator().manual_seed(_rng(ctx, name).randrange(2**31))


def _tensor(value, what: str, shape: tuple, dtype_kind: str = "float") -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{what} must return a torch.Tensor, got {type(value).__name__}")
    if tuple(value.shape) != tuple(shape):
        raise ValueError(f"{what} returned shape {tuple(value.shape)} where {tuple(shape)} was expected")
    if dtype_kind == "bool" and value.dtype != torch.bool:
        raise TypeError(f"{what} must return a bool tensor (True where a query may attend), got {value.dtype}")
    if dtype_kind == "long" and value.dtype != torch.long:
        raise TypeError(f"{what} must return token ids as a torch.long tensor, got {value.dtype}")
    return value.detach().cpu().clone()


def _new_cache(student, n_layers: int):
    cache = student.KVCache(n_layers)
    for name in ("update", "length", "truncate"):
        if not callable(getattr(cache, name, None)):
            raise TypeError(f"KVCache must have a method {name}()")
    return cache


def _length(cache, what: str) -> int:
    value = cache.length()
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = int(value.item())
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"KVCache.length() must return an int ({what}), got {type(value).__name__}")
    return value


# ----------------------------------------------------------------- the causal mask

@case
def mask(student, ctx):
    if ctx.visible:
        shapes = [(3, 5)]
    else:
        rng = _rng(ctx, "mask")
        shapes = [(q, q + rng.randint(0, 6)) for q in (1, rng.randint(2, 4), rng.randint(5, 8))]
    ctx.show(calls=[f"causal_mask({q}, {k})" for q, k in shapes])
    return [_tensor(student.causal_mask(q, k), f"causal_mask({q}, {k})", (q, k), "bool") for q, k in shapes]


# ----------------------------------------------------------------- the cache itself

@case
def cache(student, ctx):
    rng, gen = _rng(ctx, "cache"), _gen(ctx, "cache")
    batch, heads, head_dim, n_layers = rng.randint(1, 3), rng.choice([2, 4]), rng.choice([4, 8]), 2
    cache = _new_cache(student, n_layers)
    out = {"lengths": [_length(cache, "of an empty cache")], "returned": []}
    chunks = [rng.randint(1, 4) for _ in range(rng.randint(3, 5))]
    for t in chunks:
        for layer in range(n_layers):
            k, v = torch.randn(batch, heads, t, head_dim, generator=gen), torch.randn(batch, heads, t, head_dim, generator=gen)
            got = cache.update(layer, k, v)
            if not isinstance(got, (tuple, list)) or len(got) != 2:
                raise TypeError("KVCache.update must return a tuple (keys, values) holding every position so far")
            out["returned"].append([t_.detach().clone() for t_ in got])
        out["lengths"].append(_length(cache, "after update"))
    keep = rng.randint(1, sum(chunks) - 1)
    cache.truncate(keep)
    out["truncated_to"] = keep
    out["lengths"].append(_length(cache, "after truncate"))
    for layer in range(n_layers):
        k, v = torch.randn(batch, heads, 1, head_dim, generator=gen), torch.randn(batch, heads, 1, head_dim, generator=gen)
        out["returned"].append([t_.detach().clone() for t_ in cache.update(layer, k, v)])
    out["lengths"].append(_length(cache, "after truncate and one more update"))
    return out


# ----------------------------------------------------------------- attention with and without the cache

def _layer_input(ctx, name, model):
    rng, gen = _rng(ctx, name), _gen(ctx, name)
    layer = 0 if ctx.visible else rng.randrange(model.config.n_layer)
    batch, seq = (1, 4) if ctx.visible else (rng.randint(1, 3), rng.randint(8, 16))
    x = torch.randn(batch, seq, model.config.n_embd, generator=gen).to(ctx.device)
    return rng, layer, x


@case
def attention(student, ctx):
    model = _model(ctx)
    _, layer, x = _layer_input(ctx, "attention", model)
    ctx.show(call=f"attention(x, model.transformer.h[{layer}].attn, n_heads={model.config.n_head}) with x of shape "
                  f"{tuple(x.shape)} (batch, seq, d_model) drawn from torch.randn, no cache")
    with torch.no_grad():
        out = student.attention(x, model.transformer.h[layer].attn, model.config.n_head)
    return _tensor(out, "attention", tuple(x.shape))


@case
def incremental(student, ctx):
    model = _model(ctx)
    rng, layer, x = _layer_input(ctx, "incremental", model)
    seq = x.shape[1]
    chunks, done = [], 0
    first = rng.randint(1, 5)
    chunks.append(first)
    done = first
    while done < seq:
        step = min(rng.randint(1, 3), seq - done)
        chunks.append(step)
        done += step
    block = model.transformer.h[layer].attn
    with torch.no_grad():
        full = _tensor(student.attention(x, block, model.config.n_head), "attention (no cache)", tuple(x.shape))
        cache = _new_cache(student, model.config.n_layer)
        parts, start = [], 0
        for size in chunks:
            part = student.attention(x[:, start:start + size], block, model.config.n_head, cache, layer)
            parts.append(_tensor(part, f"attention on a chunk of {size} with {start} cached positions",
                                 (x.shape[0], size, x.shape[2])))
            start += size
    return {"chunks": chunks, "layer": layer, "full": full, "incremental": torch.cat(parts, dim=1)}


# ----------------------------------------------------------------- the whole model

def _ids(gen, batch, seq, vocab, device):
    return torch.randint(0, vocab, (batch, seq), generator=gen).to(device)


@case
def forward(student, ctx):
    model = _model(ctx)
    rng, gen = _rng(ctx, "forward"), _gen(ctx, "forward")
    batch, seq = rng.randint(1, 3), rng.randint(6, 14)
    split = rng.randint(1, seq - 1)
    ids = _ids(gen, batch, seq, model.config.vocab_size, ctx.device)
    shape = (batch, seq, model.config.vocab_size)
    with torch.no_grad():
        hf = model(ids).logits.detach().cpu()
        full = _tensor(student.gpt2_forward(model, ids), "gpt2_forward (no cache)", shape)
        cache = _new_cache(student, model.config.n_layer)
        first = _tensor(student.gpt2_forward(model, ids[:, :split], cache), f"gpt2_forward on the first {split} tokens",
                        (batch, split, model.config.vocab_size))
        second = _tensor(student.gpt2_forward(model, ids[:, split:], cache),
                         f"gpt2_forward on {seq - split} more tokens with {split} cached",
                         (batch, seq - split, model.config.vocab_size))
        length = _length(cache, "after two gpt2_forward calls")
    return {"split": split, "hf": hf, "full": full, "cached": torch.cat([first, second], dim=1), "length": length}


def _hf_generate(model, ids, new_tokens):
    with torch.no_grad():
        return model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=new_tokens, do_sample=False,
                              pad_token_id=0, use_cache=True).cpu()


@case
def generate(student, ctx):
    model = _model(ctx)
    rng, gen = _rng(ctx, "generate"), _gen(ctx, "generate")
    cfg = ctx.config
    batch = 1 if ctx.visible else cfg.get("batch", 2)
    prompt_len = cfg.get("prompt_len", 8) + (0 if ctx.visible else rng.randint(0, 4))
    new_tokens = cfg.get("new_tokens", 12) + (0 if ctx.visible else rng.randint(0, 4))
    ids = _ids(gen, batch, prompt_len, model.config.vocab_size, ctx.device)
    ctx.show(call=f"greedy_generate(model, input_ids, max_new_tokens={new_tokens}) with use_cache True and False",
             input_ids=ids.cpu().tolist())
    shape = (batch, prompt_len + new_tokens)
    hf = _hf_generate(model, ids, new_tokens)
    cached = _tensor(student.greedy_generate(model, ids.clone(), new_tokens, use_cache=True),
                     "greedy_generate(use_cache=True)", shape, "long")
    uncached = _tensor(student.greedy_generate(model, ids.clone(), new_tokens, use_cache=False),
                       "greedy_generate(use_cache=False)", shape, "long")
    return {"prompt_len": prompt_len, "hf": hf, "cached": cached, "uncached": uncached}


@case
def truncate(student, ctx):
    """Roll the cache back (as speculative decoding does when draft tokens are rejected) and go on."""
    model = _model(ctx)
    rng, gen = _rng(ctx, "truncate"), _gen(ctx, "truncate")
    vocab = model.config.vocab_size
    batch, prompt_len, drafts = rng.randint(1, 2), rng.randint(4, 10), rng.randint(3, 6)
    accepted = rng.randint(0, drafts - 1)
    prompt = _ids(gen, batch, prompt_len, vocab, ctx.device)
    draft = _ids(gen, batch, drafts, vocab, ctx.device)
    fix = _ids(gen, batch, 1, vocab, ctx.device)
    with torch.no_grad():
        cache = _new_cache(student, model.config.n_layer)
        student.gpt2_forward(model, prompt, cache)
        student.gpt2_forward(model, draft, cache)
        lengths = [_length(cache, "after the prompt and the drafts")]
        cache.truncate(prompt_len + accepted)
        lengths.append(_length(cache, "after truncate"))
        logits = _tensor(student.gpt2_forward(model, fix, cache), "gpt2_forward after truncate", (batch, 1, vocab))
        lengths.append(_length(cache, "after one more token"))
        hf = model(torch.cat([prompt, draft[:, :accepted], fix], dim=1)).logits[:, -1:].cpu()
    return {"prompt_len": prompt_len, "drafts": drafts, "accepted": accepted, "lengths": lengths,
            "logits": logits, "hf": hf}


# ----------------------------------------------------------------- work and speed-up

class _Counter:
    """Wraps the student's attention: counts the positions each call feeds through a layer."""

    def __init__(self, fn):
        self.fn, self.positions = fn, 0

    def __call__(self, *args, **kwargs):
        x = args[0] if args else kwargs.get("x")
        if isinstance(x, torch.Tensor) and x.dim() == 3:
            self.positions += x.shape[1]
        return self.fn(*args, **kwargs)


def _counted(student, model, ids, new_tokens, use_cache) -> int:
    original = student.attention
    counter = _Counter(original)
    student.attention = counter
    try:
        student.greedy_generate(model, ids, new_tokens, use_cache=use_cache)
    finally:
        student.attention = original
    return counter.positions


def _sync(ctx):
    if ctx.device == "cuda":
        torch.cuda.synchronize()


def _time(ctx, student, model, ids, new_tokens, use_cache) -> float:
    _sync(ctx)
    start = time.perf_counter()
    student.greedy_generate(model, ids, new_tokens, use_cache=use_cache)
    _sync(ctx)
    return time.perf_counter() - start


@case
def speedup(student, ctx):
    model = _model(ctx)
    bench = ctx.config.get("bench", {"prompt_len": 200, "new_tokens": 40, "batch": 1, "min_speedup": 1.5})
    gen = _gen(ctx, "speedup")
    prompt_len, new_tokens = bench["prompt_len"], bench["new_tokens"]
    ids = _ids(gen, bench["batch"], prompt_len, model.config.vocab_size, ctx.device)
    small = ids[:, :8]
    work = {"cached": _counted(student, model, small, 6, True) / model.config.n_layer,
            "uncached": _counted(student, model, small, 6, False) / model.config.n_layer,
            "prompt_len": 8, "new_tokens": 6}
    with torch.no_grad():
        _time(ctx, student, model, ids[:, :16], 4, True)          # warm-up
        times = {True: [], False: []}
        for _ in range(2):                                       # alternate, keep the best of two
            for use_cache in (True, False):
                times[use_cache].append(_time(ctx, student, model, ids, new_tokens, use_cache))
    cached_s, uncached_s = min(times[True]), min(times[False])
    ctx.show(benchmark=f"greedy_generate(model, prompt of {prompt_len} tokens, batch {bench['batch']}, "
                       f"max_new_tokens={new_tokens}) timed with and without the cache (best of 2 each)")
    return {"work": work, "cached_s": cached_s, "uncached_s": uncached_s,
            "speedup": uncached_s / max(cached_s, 1e-9), "min_speedup": bench["min_speedup"],
            "prompt_len": prompt_len, "new_tokens": new_tokens}
