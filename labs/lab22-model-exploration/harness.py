"""Lab 22 harness (inside the sandbox): the student's exploration functions on the local "model hub"
built by build_artifacts.py (four tiny models of three families)."""

import torch

from labkit.data import case_rng
from labkit.harness import case
from labkit.tinymodels import load_model_dir, loaded, model_dir

MODELS = ("gpt2-word", "gpt2-char", "bert-word", "t5-word")
VISIBLE_TEXT = "the lazy zebra found a red ball in the park ."
NOUNS = "dog cat fox bird owl frog".split()
OBJS = "ball box hat key cup".split()
PLACES = "park barn river field".split()
STRANGERS = ["zebra", "Lion", "tiger", "a2", "penguin", "ZOO", "sofa"]


AUTO = {"gpt2-word": "AutoModelForCausalLM", "gpt2-char": "AutoModelForCausalLM", "bert-word": "AutoModelForMaskedLM",
        "t5-word": "AutoModelForSeq2SeqLM"}
_CACHE = {}


def _grader_load(ctx, name):
    """The grader's own copy of a hub model (independent of the student's load_model)."""
    if name not in _CACHE:
        _CACHE[name] = load_model_dir(ctx, f"hub/{name}", AUTO[name])
    return _CACHE[name]


def _sentence(rng):
    kind = rng.randrange(3)
    if kind == 0:
        return f"the {rng.choice(NOUNS)} found a {rng.choice(OBJS)} in the {rng.choice(PLACES)} ."
    if kind == 1:
        return f"every day the {rng.choice(NOUNS)} takes the {rng.choice(OBJS)} ."
    return f"a {rng.choice(NOUNS)} is in the {rng.choice(PLACES)} ."


def _odd_sentence(rng):
    words = _sentence(rng).split()
    words[rng.randrange(len(words) - 1)] = rng.choice(STRANGERS)
    return " ".join(words)


@case
def load(student, ctx):
    return {name: loaded(student.load_model(model_dir(ctx, f"hub/{name}")), "load_model")[2] for name in MODELS}


def _describe(student, ctx, names):
    out = {}
    for name in names:
        info = student.describe_model(_grader_load(ctx, name)[0])
        if not isinstance(info, dict):
            raise TypeError(f"describe_model must return a dict, got {type(info).__name__}")
        out[name] = {k: (v.item() if isinstance(v, torch.Tensor) else v) for k, v in info.items()}
    return out


@case
def describe(student, ctx):
    if ctx.visible:
        ctx.show(describe_model="gpt2-word")
        return _describe(student, ctx, ["gpt2-word"])
    return _describe(student, ctx, ["gpt2-char", "bert-word", "t5-word"])


@case
def tokenize(student, ctx):
    if ctx.visible:
        text = VISIBLE_TEXT
        ctx.show(tokenize_text=text)
    else:
        text = _odd_sentence(case_rng(ctx, "tokenize"))
    out = {}
    for name in MODELS:
        info = student.tokenize(_grader_load(ctx, name)[1], text)
        if not isinstance(info, dict):
            raise TypeError(f"tokenize must return a dict, got {type(info).__name__}")
        out[name] = info
    return out


@case
def score(student, ctx):
    if ctx.visible:
        texts = ["the old dog found a red ball in the park .", VISIBLE_TEXT]
        ctx.show(score_texts=texts)
    else:
        rng = case_rng(ctx, "score")
        texts = [_sentence(rng) + " " + _sentence(rng), _odd_sentence(rng)]
    out = {}
    for name in ("gpt2-word", "gpt2-char"):
        model, tokenizer = _grader_load(ctx, name)
        rows = []
        for text in texts:
            info = student.score_text(model, tokenizer, text)
            if not isinstance(info, dict):
                raise TypeError(f"score_text must return a dict, got {type(info).__name__}")
            rows.append({k: float(v) for k, v in info.items()})
        out[name] = rows
    return out


@case
def fill(student, ctx):
    model, tokenizer = _grader_load(ctx, "bert-word")
    if ctx.visible:
        texts = ["the old dog found a red [MASK] in the park ."]
        ctx.show(fill_mask_texts=texts, top_k=3)
    else:
        rng = case_rng(ctx, "fill")
        texts = []
        for _ in range(3):
            words = _sentence(rng).split()
            words[rng.randrange(len(words) - 1)] = "[MASK]"
            texts.append(" ".join(words))
    out = []
    for text in texts:
        result = student.fill_mask(model, tokenizer, text, top_k=3)
        if not isinstance(result, list) or not all(isinstance(r, (tuple, list)) and len(r) == 2 for r in result):
            raise TypeError("fill_mask must return a list of (token, probability) pairs")
        out.append({"tokens": [str(t) for t, _ in result], "probs": [float(p) for _, p in result]})
    return out


def _span_input(rng):
    words = _sentence(rng).split()
    i = rng.randrange(1, len(words) - 2)
    return " ".join(words[:i] + ["<extra_id_0>"] + words[i + 2:])


@case
def greedy(student, ctx):
    if ctx.visible:
        prompts = {"gpt2-word": "every day the", "gpt2-char": "the old d", "t5-word": "the old <extra_id_0> a red ball ."}
        ctx.show(greedy_prompts=prompts, max_new_tokens=8)
    else:
        rng = case_rng(ctx, "greedy")
        prompts = {"gpt2-word": " ".join(_sentence(rng).split()[:rng.randint(2, 4)]),
                   "gpt2-char": _sentence(rng)[:rng.randint(5, 12)].rstrip(),
                   "t5-word": _span_input(rng)}
    out = {}
    for name, prompt in prompts.items():
        model, tokenizer = _grader_load(ctx, name)
        text = student.generate(model, tokenizer, prompt, max_new_tokens=8)
        if not isinstance(text, str):
            raise TypeError(f"generate must return a str, got {type(text).__name__}")
        out[name] = text
    return out


def _recording_generate(model, calls):
    """Wraps the grader's model.generate so the token ids the student sampled are seen exactly (decoding
    and re-tokenizing text does not give them back: skipped special tokens, BPE merges at the seam)."""
    real = model.generate

    def generate(*args, **kwargs):
        out = real(*args, **kwargs)
        calls.append(out)
        return out

    model.generate = generate


def _sampled_ids(calls, prompt_ids):
    """The new token ids of the last generate call, if its output starts with the prompt's ids."""
    if not calls or not torch.is_tensor(calls[-1]):
        return None
    seq = calls[-1][0] if calls[-1].dim() == 2 else calls[-1]
    if seq[:len(prompt_ids)].tolist() != prompt_ids:
        return None
    return seq.tolist()


def _within_top_k(model, ids, n_prompt, top_k):
    """Every token after the prompt is among the top_k next tokens (ties within 1e-4 count as inside)."""
    if len(ids) <= n_prompt:
        return True
    with torch.no_grad():
        logits = model(input_ids=torch.tensor([ids])).logits[0]
    for pos in range(n_prompt, len(ids)):
        kth = logits[pos - 1].topk(top_k).values[-1]
        if logits[pos - 1, ids[pos]] < kth - 1e-4 * max(1.0, abs(float(kth))):
            return False
    return True


@case
def sampling(student, ctx):
    """Properties of sampled generations (they cannot be compared token by token)."""
    model, tokenizer = _grader_load(ctx, "gpt2-word")
    rng = case_rng(ctx, "sampling")
    prompt = " ".join(_sentence(rng).split()[:2])
    top_k, temperature = 5, 0.8
    seeds = [rng.randrange(10_000) for _ in range(6)]
    prompt_ids = tokenizer(prompt)["input_ids"]
    calls, outputs, in_top_k = [], [], True
    _recording_generate(model, calls)
    try:
        for s in seeds:
            calls.clear()
            text = student.generate(model, tokenizer, prompt, max_new_tokens=8, do_sample=True,
                                    temperature=temperature, top_k=top_k, seed=s)
            outputs.append(text)
            ids = _sampled_ids(calls, prompt_ids)
            if ids is None and isinstance(text, str):  # no model.generate call: judge the text itself
                ids = tokenizer(prompt + " " + text if text else prompt)["input_ids"]
            in_top_k = in_top_k and ids is not None and _within_top_k(model, ids, len(prompt_ids), top_k)
        again = student.generate(model, tokenizer, prompt, max_new_tokens=8, do_sample=True,
                                 temperature=temperature, top_k=top_k, seed=seeds[0])
        greedy = student.generate(model, tokenizer, prompt, max_new_tokens=8)
        greedy_again = student.generate(model, tokenizer, prompt, max_new_tokens=8)
    finally:
        del model.generate
    if not all(isinstance(o, str) for o in outputs + [again, greedy]):
        raise TypeError("generate must return a str")
    return {"reproducible": again == outputs[0], "distinct": len(set(outputs)), "in_top_k": in_top_k,
            "greedy_is_deterministic": greedy == greedy_again,
            "outputs": outputs}


@case
def report(student, ctx):
    """Not graded: a side-by-side comparison printed to the run's output."""
    if not ctx.visible:
        return None
    text = "the old dog found a red ball in the park ."
    lines = [f"{'model':<11}{'architecture':<28}{'params':>8}{'embedding':>10}{'tokens':>8}  bits/char  greedy after 'every day the' / span"]
    for name in MODELS:
        model, tokenizer = _grader_load(ctx, name)
        info = student.describe_model(model)
        n_tokens = student.tokenize(tokenizer, text)["n_tokens"]
        bpc = f"{student.score_text(model, tokenizer, text)['bits_per_char']:.3f}" if name.startswith("gpt2") else "-"
        prompt = {"bert-word": None, "t5-word": "the old <extra_id_0> a red ball ."}.get(name, "every day the")
        sample = student.generate(model, tokenizer, prompt, max_new_tokens=8) if prompt else "(fill-mask model)"
        lines.append(f"{name:<11}{info['architecture']:<28}{info['total_params']:>8}{info['embedding_params']:>10}"
                     f"{n_tokens:>8}  {bpc:>9}  {sample!r}")
    print("Model hub comparison (not graded):\n" + "\n".join(lines))
    return None
