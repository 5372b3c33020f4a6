"""Lab 19 harness (inside the sandbox): the student's batching, generation, perplexity and fine-tuning
code on the tiny pre-trained GPT-2 from build_artifacts.py (mounted read-only at ctx.artifacts_dir)."""

import torch

from labkit.data import case_rng
from labkit.harness import case
from labkit.tinymodels import load_model_dir, loaded, model_dir, student_training, tensor_lists

FINETUNE = dict(steps=300, lr=3e-3, batch_size=16)
VISIBLE_TEXTS = ["the old dog found a red ball in the park .", "a cat is in the barn ."]
VISIBLE_PROMPTS = ["once upon a time the", "every day the fox"]


def _fresh(ctx):
    """The grader's own copy of the pre-trained model and tokenizer (independent of load_pretrained)."""
    return load_model_dir(ctx, "gpt2-tiny", "AutoModelForCausalLM")


def _lines(ctx, name):
    return (ctx.data_dir / name).read_text().splitlines()


def _sentences(ctx, name, n):
    rng = case_rng(ctx, name)
    nouns, objs = "dog cat fox bird owl frog".split(), "ball box hat key cup".split()
    places, adjs = "park barn river field".split(), "old red lazy small".split()
    out = []
    for _ in range(n):
        kind = rng.randrange(3)
        if kind == 0:
            out.append(f"the {rng.choice(adjs)} {rng.choice(nouns)} found a {rng.choice(objs)} in the {rng.choice(places)} .")
        elif kind == 1:
            out.append(f"every day the {rng.choice(nouns)} takes the {rng.choice(objs)} .")
        else:
            out.append(f"a {rng.choice(nouns)} is in the {rng.choice(places)} .")
    return out


@case
def load(student, ctx):
    _, tokenizer, summary = loaded(student.load_pretrained(model_dir(ctx, "gpt2-tiny")), "load_pretrained")
    return {**summary, "eos_token": tokenizer.eos_token, "pad_token": tokenizer.pad_token}


@case
def batch(student, ctx):
    _, tokenizer = _fresh(ctx)
    if ctx.visible:
        texts = VISIBLE_TEXTS
        ctx.show(make_batch_texts=texts)
    else:
        rng = case_rng(ctx, "batch")
        texts = rng.sample(_lines(ctx, "train.txt"), 2) + _sentences(ctx, "batch", rng.randint(1, 3))
        rng.shuffle(texts)
    return tensor_lists(student.make_batch(tokenizer, list(texts)), "make_batch")


def _complete_all(student, ctx, prompts, max_new_tokens):
    model, tokenizer = _fresh(ctx)
    outputs = []
    for prompt in prompts:
        text = student.complete(model, tokenizer, prompt, max_new_tokens=max_new_tokens)
        if not isinstance(text, str):
            raise TypeError(f"complete must return a str, got {type(text).__name__}")
        outputs.append(text)
    return outputs


@case
def complete_base(student, ctx):
    if ctx.visible:
        prompts = VISIBLE_PROMPTS
        ctx.show(complete_prompts=prompts, max_new_tokens=8)
    else:
        rng = case_rng(ctx, "complete")
        prompts = [" ".join(s.split()[: rng.randint(2, 5)]) for s in _sentences(ctx, "complete", 3)]
    return _complete_all(student, ctx, prompts, 8)


@case
def perplexity_base(student, ctx):
    model, tokenizer = _fresh(ctx)
    if ctx.visible:
        texts = VISIBLE_TEXTS + ["once upon a time the fox saw a hat . the end ."]
        ctx.show(perplexity_texts=texts)
    else:
        rng = case_rng(ctx, "perplexity")
        texts = rng.sample(_lines(ctx, "train.txt"), rng.randint(3, 6)) + _sentences(ctx, "perplexity", rng.randint(5, 9))
        rng.shuffle(texts)
    value = student.perplexity(model, tokenizer, list(texts))
    if isinstance(value, torch.Tensor):
        value = value.item()
    if not isinstance(value, (int, float)):
        raise TypeError(f"perplexity must return a float, got {type(value).__name__}")
    return float(value)


@torch.no_grad()
def _greedy(model, tokenizer, prompt, max_new_tokens=12):
    encoded = tokenizer(prompt, return_tensors="pt")
    output = model.generate(**encoded, max_new_tokens=max_new_tokens, do_sample=False,
                            eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id)
    return tokenizer.decode(output[0, encoded["input_ids"].shape[1]:], skip_special_tokens=True).strip()


@case
def finetune(student, ctx):
    """Fine-tune the pre-trained model with the student's code; the grader generates the completions."""
    model, tokenizer = _fresh(ctx)
    seed = ctx.seed % 2**31
    losses = student_training(student.finetune, model, tokenizer, _lines(ctx, "train.txt"), config=FINETUNE, seed=seed,
                              what="finetune")
    completions = [_greedy(model, tokenizer, p) for p in _lines(ctx, "test_prompts.txt")]
    if ctx.visible:
        print(f"fine-tuning (seed {seed}): loss {float(losses[0]):.3f} -> {sum(map(float, losses[-20:])) / 20:.3f}; "
              f"first held-out completion: {completions[0]!r}")
    return {"losses": losses, "completions": completions}
