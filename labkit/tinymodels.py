"""Tiny "pre-trained" Hugging Face models for the fine-tuning labs (19-22 and later), and the helpers
that harnesses and checks use around their model directories.

Building (a lab's trusted `build_artifacts.py`, OUTSIDE the sandbox; docs/lab-authoring.md, "Cached
artifacts"): a word-level tokenizer over the lab's own vocabulary, a tiny GPT-2 / BERT / T5 from a
config, a few hundred seeded steps of its pre-training objective, a save_pretrained folder.

    tokenizer = word_tokenizer(SPECIALS + words, max_length=64, unk_token="<unk>", pad_token="<pad>",
                               eos_token="<eos>", bos_token="<eos>")
    model, info = build_model_dir(out_dir / "gpt2-tiny", "gpt2", tokenizer, text, steps=1200, lr=3e-3)

Same seed, same thread count, same library versions: the same weights. torch, transformers and
tokenizers are imported inside the functions, so a lab's make_data.py can import its build script
cheaply and checks.py can use the check helpers without torch.

Harness side (inside the sandbox): `model_dir`, `load_model_dir` (the grader's own fresh copy),
`loaded` (what a student's load function returned), `tensor_lists` (a student's batch dict),
`student_training` (a student's fine-tuning loop, run and its losses checked).
Checks side: `check_loaded`, `loss_curve_problem`.
"""
from __future__ import annotations

import json
import random
import time
from pathlib import Path
from typing import Any, Callable

# The tiny sizes every family is built at (d_model 64, 2 layers, 4 heads, no dropout); tiny_model's
# keyword arguments override them.
TINY = {
    "gpt2": dict(n_positions=64, n_embd=64, n_layer=2, n_head=4, n_inner=256, resid_pdrop=0.0, embd_pdrop=0.0,
                 attn_pdrop=0.0),
    "bert": dict(hidden_size=64, num_hidden_layers=2, num_attention_heads=4, intermediate_size=128,
                 max_position_embeddings=64, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0),
    "t5": dict(d_model=64, d_kv=16, d_ff=128, num_layers=2, num_decoder_layers=2, num_heads=4,
               relative_attention_num_buckets=16, relative_attention_max_distance=32, dropout_rate=0.0,
               feed_forward_proj="relu"),
}
BERT_TEMPLATE = ("[CLS] $A [SEP]", "[CLS] $A [SEP] $B:1 [SEP]:1")
T5_TEMPLATE = ("$A </s>", "$A </s> $B </s>")
T5_SENTINELS = [f"<extra_id_{i}>" for i in range(10)]


# The toy English that labs 19 and 22 pre-train on ("the old dog found a red ball in the park ."):
# about 100 words, sentences from templates whose {slots} are filled from the word lists.
STORY_NOUNS = "dog cat fox bird horse goat mouse owl bear frog duck rabbit".split()
STORY_ADJS = "old young small big red brown happy lazy quick tired".split()
STORY_OBJS = "ball box stick apple hat key shoe book cup bell".split()
STORY_PLACES = "park garden forest kitchen barn field river house".split()
STORY_VERBS = [("found", "finds"), ("lost", "loses"), ("saw", "sees"), ("took", "takes"), ("kept", "keeps"),
               ("hid", "hides"), ("dropped", "drops"), ("carried", "carries"), ("wanted", "wants"), ("liked", "likes")]
STORY_TEMPLATES = [
    "the {a} {n} {past} a {a2} {o} in the {p} .",
    "every day the {n} {present} the {a2} {o} .",
    "a {a} {n} is in the {p} .",
    "yesterday the {a} {n} {past} the {o} .",
    "the {n} {present} a {o} and the {n2} {present2} a {o2} .",
    "once upon a time the {a} {n} {past} a {o} . the end .",
    "in the {p} , the {n} always {present} a {o} .",
    "the {a} {n} {past} the {o} , then the {n} {past} a {a2} {o2} .",
]


def story_sentence(rng: random.Random, templates: list[str] = STORY_TEMPLATES) -> str:
    """One sentence of the toy English from one of `templates`."""
    (past, present), n, n2 = rng.choice(STORY_VERBS), rng.choice(STORY_NOUNS), rng.choice(STORY_NOUNS)
    a, a2, o, o2 = (rng.choice(STORY_ADJS), rng.choice(STORY_ADJS), rng.choice(STORY_OBJS), rng.choice(STORY_OBJS))
    return rng.choice(templates).format(n=n, n2=n2, a=a, a2=a2, o=o, o2=o2, p=rng.choice(STORY_PLACES), past=past,
                                        present=present, present2=rng.choice(STORY_VERBS)[1])


def story_text(rng: random.Random, templates: list[str] = STORY_TEMPLATES) -> str:
    """One or two sentences of the toy English."""
    return " ".join(story_sentence(rng, templates) for _ in range(rng.randint(1, 2)))


def story_vocabulary(templates: list[str] = STORY_TEMPLATES) -> list[str]:
    """Every word that story_sentence can write with `templates`, sorted."""
    words = {w for template in templates for w in template.split() if not w.startswith("{")}
    words |= set(STORY_NOUNS + STORY_ADJS + STORY_OBJS + STORY_PLACES) | {v for pair in STORY_VERBS for v in pair}
    return sorted(words)


# ---------------------------------------------------------------- building (outside the sandbox)

def word_tokenizer(vocabulary: list[str], *, max_length: int, template: tuple[str, str] | None = None,
                   characters: bool = False, **special_tokens: Any):
    """A PreTrainedTokenizerFast with one id per entry of `vocabulary` (in that order, special tokens
    first): split on white space (or, with `characters=True`, one token per character, spaces
    included), unknown words become `unk_token`. `template` = (single, pair) adds special tokens around
    every text, e.g. BERT_TEMPLATE ("[CLS] $A [SEP]") or T5_TEMPLATE ("$A </s>"). `special_tokens` are
    PreTrainedTokenizerFast's (unk_token=..., pad_token=..., additional_special_tokens=[...])."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    vocab = {word: i for i, word in enumerate(vocabulary)}
    if len(vocab) != len(vocabulary):
        raise ValueError("the vocabulary lists a word twice")
    tok = Tokenizer(models.WordLevel(vocab, unk_token=special_tokens["unk_token"]))
    if characters:
        tok.pre_tokenizer = pre_tokenizers.Split("", behavior="isolated")
        tok.decoder = decoders.Fuse()
    else:
        tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    if template:
        single, pair = template
        marks = dict.fromkeys(t.split(":")[0] for t in f"{single} {pair}".split() if not t.startswith("$"))
        tok.post_processor = processors.TemplateProcessing(single=single, pair=pair,
                                                           special_tokens=[(t, vocab[t]) for t in marks])
    return PreTrainedTokenizerFast(tokenizer_object=tok, model_max_length=max_length, **special_tokens)


def tiny_model(family: str, tokenizer, *, seed: int = 0, **overrides: Any):
    """A freshly initialised (torch seed `seed`) GPT2LMHeadModel ("gpt2"), BertForMaskedLM ("bert") or
    T5ForConditionalGeneration ("t5") of the TINY size, with the tokenizer's vocabulary and special ids."""
    import torch
    import transformers

    ids = dict(vocab_size=len(tokenizer), pad_token_id=tokenizer.pad_token_id)
    if family == "gpt2":
        ids.update(bos_token_id=tokenizer.eos_token_id, eos_token_id=tokenizer.eos_token_id)
        config_class, model_class = transformers.GPT2Config, transformers.GPT2LMHeadModel
    elif family == "bert":
        config_class, model_class = transformers.BertConfig, transformers.BertForMaskedLM
    elif family == "t5":
        ids.update(eos_token_id=tokenizer.eos_token_id, decoder_start_token_id=tokenizer.pad_token_id)
        config_class, model_class = transformers.T5Config, transformers.T5ForConditionalGeneration
    else:
        raise ValueError(f"unknown family {family!r}: expected one of {sorted(TINY)}")
    torch.manual_seed(seed)
    return model_class(config_class(**{**TINY[family], **ids, **overrides}))


def causal_lm_batch(tokenizer, texts: list[str]) -> dict:
    """Next-token prediction: each text + eos, padded on the right; labels = input_ids with -100 on the
    padding (the model shifts them itself)."""
    batch = tokenizer([text + tokenizer.eos_token for text in texts], padding=True, return_tensors="pt")
    batch["labels"] = batch["input_ids"].masked_fill(batch["attention_mask"] == 0, -100)
    return batch


def masked_lm_batch(tokenizer, texts: list[str], generator, mask_prob: float = 0.15) -> dict:
    """BERT's masked language modelling: `mask_prob` of the words (never special tokens or padding) are to be
    predicted; of those 80% become [MASK], 10% a random word, 10% stay. Other labels are -100."""
    import torch

    batch = tokenizer(texts, padding=True, return_tensors="pt")
    ids = batch["input_ids"]
    special = torch.isin(ids, torch.tensor(tokenizer.all_special_ids)) | (batch["attention_mask"] == 0)
    chosen = (torch.rand(ids.shape, generator=generator) < mask_prob) & ~special
    roll = torch.rand(ids.shape, generator=generator)
    words = torch.randint(max(tokenizer.all_special_ids) + 1, len(tokenizer), ids.shape, generator=generator)
    inputs = ids.masked_fill(chosen & (roll < 0.8), tokenizer.mask_token_id)
    swap = chosen & (roll >= 0.8) & (roll < 0.9)
    inputs[swap] = words[swap]
    return {"input_ids": inputs, "attention_mask": batch["attention_mask"], "labels": ids.masked_fill(~chosen, -100)}


def span_corruption(words: list[str], rng: random.Random, sentinels: list[str], noise: float = 0.15,
                    mean_span: int = 2) -> tuple[str, str]:
    """T5's objective on one text: about `noise` of the words, in spans of `mean_span`, are replaced by
    sentinels in the source; the target lists each sentinel followed by the words it hid."""
    n = len(words)
    n_spans = max(1, round(max(1, round(n * noise)) / mean_span))
    hidden = {j for s in rng.sample(range(n), min(n_spans, n)) for j in range(s, min(n, s + mean_span))}
    source, target, k, i = [], [], 0, 0
    while i < n:
        if i not in hidden:
            source.append(words[i])
            i += 1
            continue
        source.append(sentinels[k])
        target.append(sentinels[k])
        k += 1
        while i < n and i in hidden:
            target.append(words[i])
            i += 1
    target.append(sentinels[min(k, len(sentinels) - 1)])
    return " ".join(source), " ".join(target)


def seq2seq_batch(tokenizer, sources: list[str], targets: list[str]) -> dict:
    """Encoder inputs and labels (target ids, padding -> -100; the model makes the decoder inputs)."""
    batch = tokenizer(sources, padding=True, return_tensors="pt")
    labels = tokenizer(targets, padding=True, return_tensors="pt")
    batch["labels"] = labels["input_ids"].masked_fill(labels["attention_mask"] == 0, -100)
    return batch


def span_corruption_batch(tokenizer, texts: list[str], rng: random.Random, sentinels: list[str] = T5_SENTINELS,
                          **options: Any) -> dict:
    """A seq2seq batch of span-corrupted texts (`options`: span_corruption's noise and mean_span)."""
    pairs = [span_corruption(text.split(), rng, sentinels, **options) for text in texts]
    return seq2seq_batch(tokenizer, [s for s, _ in pairs], [t for _, t in pairs])


def pretrain(model, tokenizer, text: Callable[[random.Random], str], *, steps: int, lr: float, batch_size: int = 32,
             seed: int = 0, warmup: int = 100, weight_decay: float = 0.01, threads: int = 1, log_every: int = 250,
             **objective: Any) -> dict:
    """Pre-train with the model family's own objective on batches of `text(rng)` (one corpus text each):
    next-word prediction (GPT-2), masked language modelling (BERT; `mask_prob`) or span corruption (T5;
    `noise`, `mean_span`). AdamW, a linear warm-up over `warmup` steps, then a linear decay to 5% of `lr`;
    the texts and the masks come from a random.Random and a torch.Generator seeded with `seed`. One
    thread by default: these models are too small for more to help, and on a busy machine extra threads
    spin (10x the CPU per step).
    Prints the loss every `log_every` steps; returns {"steps", "final_loss_mean_50", "seconds"}; leaves
    the model in eval mode."""
    import torch

    torch.set_num_threads(threads)
    rng, generator = random.Random(seed), torch.Generator().manual_seed(seed)
    family = model.config.model_type

    def next_batch() -> dict:
        texts = [text(rng) for _ in range(batch_size)]
        if family == "bert":
            return masked_lm_batch(tokenizer, texts, generator, **objective)
        if family == "t5":
            return span_corruption_batch(tokenizer, texts, rng, **objective)
        return causal_lm_batch(tokenizer, texts)

    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / warmup) * max(0.05, 1.0 - s / steps))
    started, losses = time.time(), []
    model.train()
    for step in range(steps):
        loss = model(**next_batch()).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        losses.append(loss.item())
        if step % log_every == 0:
            print(f"{family} step {step} loss {loss.item():.3f} ({time.time() - started:.0f} s)", flush=True)
    model.eval()
    tail = losses[-50:]
    return {"steps": steps, "final_loss_mean_50": round(sum(tail) / len(tail), 4),
            "seconds": round(time.time() - started, 1)}


def build_model_dir(folder: Path, family: str, tokenizer, text: Callable[[random.Random], str], *,
                    config: dict | None = None, **pretraining: Any):
    """tiny_model (seeded with pretraining's `seed`, TINY sizes overridden by `config`) + pretrain +
    save_model_dir: returns (model, what pretraining.json holds)."""
    model = tiny_model(family, tokenizer, seed=pretraining.get("seed", 0), **(config or {}))
    info = pretrain(model, tokenizer, text, **pretraining)
    return model, save_model_dir(folder, model, tokenizer, info)


def parameter_count(model) -> int:
    """Each tensor once (tied embeddings are one tensor)."""
    return int(sum(p.numel() for p in model.parameters()))


def save_model_dir(folder: Path, model, tokenizer, info: dict | None = None) -> dict:
    """save_pretrained the model (safetensors) and the tokenizer into `folder`, with pretraining.json
    (`info` plus the parameter count); returns what pretraining.json holds."""
    folder = Path(folder)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    info = {**(info or {}), "parameters": parameter_count(model)}
    (folder / "pretraining.json").write_text(json.dumps(info, indent=1))
    print(folder.name, info, flush=True)
    return info


# ---------------------------------------------------------------- harness (inside the sandbox)

def model_dir(ctx, name: str) -> str:
    """The folder of one built model: `ctx.artifacts_dir / name` (a real model mounted over it when the
    operator configured one, see lab.yaml `models:`)."""
    return str(Path(ctx.artifacts_dir) / name)


def load_model_dir(ctx, name: str, auto: str = "AutoModelForCausalLM", seed: int | None = None, **kwargs: Any):
    """The grader's own (model in eval mode, tokenizer) from a model folder, independent of the student's
    load function; `seed` seeds torch first (a new head, e.g. a classifier's, is then the same each run)."""
    import torch
    import transformers

    if seed is not None:
        torch.manual_seed(seed)
    path = model_dir(ctx, name)
    model = getattr(transformers, auto).from_pretrained(path, **kwargs)
    return model.eval(), transformers.AutoTokenizer.from_pretrained(path)


def loaded(result: Any, what: str) -> tuple[Any, Any, dict]:
    """A student's `what(path)` must return (model, tokenizer): returns them with a summary
    {"model_class", "parameters", "tokenizer_size"} for the reference to compare."""
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise TypeError(f"{what} must return a tuple (model, tokenizer)")
    model, tokenizer = result
    return model, tokenizer, {"model_class": type(model).__name__, "parameters": parameter_count(model),
                              "tokenizer_size": len(tokenizer)}


def tensor_lists(out: Any, what: str, keys: tuple[str, ...] = ("input_ids", "attention_mask", "labels")) -> dict:
    """A student's batch dict: each of `keys` must be a torch.Tensor; returns them as nested int lists."""
    import torch

    if not isinstance(out, dict):
        raise TypeError(f"{what} must return a dict with {', '.join(keys)}, got {type(out).__name__}")
    result = {}
    for key in keys:
        if key not in out:
            raise ValueError(f"{what}'s dict has no '{key}'")
        if not isinstance(out[key], torch.Tensor):
            raise TypeError(f"{what}: '{key}' must be a torch.Tensor (return_tensors='pt'), got {type(out[key]).__name__}")
        result[key] = out[key].detach().long().tolist()
    return result


def student_training(train: Callable, model, tokenizer, *data: Any, config: dict, seed: int, what: str) -> list[float]:
    """Run a student's `train(model, tokenizer, *data, steps, lr, batch_size, seed)` the way labs 19-21
    ask for it (torch seeded with `seed` first, `config` = {"steps", "lr", "batch_size"}); it must return
    one loss per step. Leaves the model in eval mode; returns the losses as floats."""
    import torch

    torch.manual_seed(seed)
    losses = train(model, tokenizer, *(list(d) for d in data), config["steps"], config["lr"], config["batch_size"], seed)
    if not isinstance(losses, (list, tuple)) or len(losses) != config["steps"]:
        raise TypeError(f"{what} must return the list of its {config['steps']} training losses")
    model.eval()
    return [float(v) for v in losses]


# ---------------------------------------------------------------- checks (outside the sandbox)

def check_loaded(got: Any, expected: dict, what: str, advice: str):
    """Compare what `loaded` summarised (and whatever the lab added) field by field; a difference is named
    and followed by `advice` (how to load the folder)."""
    from labkit.checks import Verdict
    from labkit.compare import check_fields

    if not isinstance(got, dict):
        return Verdict(False, f"{what} returned nothing usable")
    verdict = check_fields(got, expected)
    if not verdict.passed:
        verdict.feedback += f". {advice}"
    return verdict


def loss_curve_problem(got: Any, max_ratio: float, last: int = 20) -> str | None:
    """What is wrong with a fine-tuning run, or None. `got` is the fine-tuning case's output (a dict with
    "losses") or the losses: none returned, a non-finite loss, or the mean of the `last` losses still above
    `max_ratio` x the first (the model is barely learning)."""
    import math

    losses = got.get("losses") if isinstance(got, dict) else got
    if not isinstance(losses, list) or not losses:
        return "no training losses were returned"
    bad = next((i for i, v in enumerate(losses) if not isinstance(v, (int, float)) or not math.isfinite(v)), None)
    if bad is not None:
        return f"the training loss became {losses[bad]} at step {bad}"
    tail = sum(losses[-last:]) / len(losses[-last:])
    if tail > max_ratio * losses[0]:
        return (f"the loss went from {losses[0]:.3f} only to {tail:.3f} (mean of the last {last} steps; it should "
                f"fall below {max_ratio} x the first)")
    return None
