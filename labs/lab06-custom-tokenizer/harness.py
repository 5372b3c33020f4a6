"""Lab 6 harness: runs inside the sandbox. Builds and trains the student's Hugging Face tokenizer on our
corpus, inspects its saved JSON, and encodes held-out text. No expected values here."""
from __future__ import annotations

import json
import numbers

import numpy as np

from labkit.data import case_rng, load_module, read_lines
from labkit.harness import case

SPECIALS = ["<pad>", "<s>", "</s>"]


def _story_gen(ctx):
    return load_module(ctx, "story_gen.py")


def _lines(ctx, name):
    return read_lines(ctx, name, strip=False)


def training_texts(ctx):
    """data/train.txt plus generated sentences (seed 0 for the visible checks, the hidden seed otherwise)."""
    lines = _lines(ctx, "train.txt")
    rng = case_rng(ctx, "training texts")
    if not ctx.visible:
        lines = rng.sample(lines, int(len(lines) * 0.8))
    return lines + _story_gen(ctx).sentences(rng, 2000)


def _tokenizer(value, what):
    if type(value).__name__ != "Tokenizer" or not hasattr(value, "to_str"):
        raise TypeError(f"{what} must return a tokenizers.Tokenizer, got {type(value).__name__}")
    return value


def vocab_size_for(ctx, name):
    """800 on the visible seed; on a hidden seed, a size between 500 and 900 drawn for case `name`."""
    return 800 if ctx.visible else case_rng(ctx, name).randint(500, 900)


def trained(student, ctx, vocab_size):
    tok = _tokenizer(student.build_tokenizer(), "build_tokenizer")
    return _tokenizer(student.train_tokenizer(tok, training_texts(ctx), vocab_size), "train_tokenizer")


def _component(spec):
    if spec is None:
        return None
    kind = spec.get("type")
    if kind == "Sequence":
        inner = spec.get("normalizers") or spec.get("pretokenizers") or spec.get("processors") or []
        return [_component(s) for s in inner]
    keep = {k: v for k, v in spec.items() if k in ("individual_digits", "add_prefix_space", "use_regex")}
    return {"type": kind, **keep} if keep else kind


def summary(tok):
    spec = json.loads(tok.to_str())
    post = spec.get("post_processor") or {}
    template = None
    if post.get("type") == "TemplateProcessing":
        template = " ".join(p.get("SpecialToken", p.get("Sequence", {})).get("id", "?") for p in post["single"])
    return {
        "normalizer": _component(spec.get("normalizer")),
        "pre_tokenizer": _component(spec.get("pre_tokenizer")),
        "model": spec["model"]["type"],
        "decoder": _component(spec.get("decoder")),
        "post_processor": post.get("type"),
        "single_template": template,
        "special_tokens": {t["content"]: t["id"] for t in spec.get("added_tokens", []) if t.get("special")},
        "vocab_size": tok.get_vocab_size(),
    }


def heldout_texts(ctx):
    rng = case_rng(ctx, "heldout texts")
    lines = _lines(ctx, "heldout.txt")
    if ctx.visible:
        return lines
    return rng.sample(lines, 3) + _story_gen(ctx).sentences(rng, 30)


TRICKY = ["  two  spaces and a\ttab\n", "ﬁre in the ＴＯＷＥＲ at 10:45", "naïve café 🐝 — “quoted”",
          "1234567890", "", "<s> is not special inside text", "Ünïcödé ñ ß æ ø"]


def tricky_texts(ctx):
    rng = case_rng(ctx, "tricky texts")
    texts = list(TRICKY)
    for _ in range(4):
        words = _story_gen(ctx).sentence(rng).split()
        rng.shuffle(words)
        texts.append(rng.choice(["", " ", "\n"]).join(words) + rng.choice(["", " ", "\n\n", " 42"]))
    return texts


# ----------------------------------------------------------------------------- cases


@case
def pipeline(student, ctx):
    vocab_size = vocab_size_for(ctx, "pipeline")
    ctx.show(training="data/train.txt + 2000 sentences from data/story_gen.py (seed 0)", vocab_size=vocab_size)
    return summary(trained(student, ctx, vocab_size))


@case
def encode(student, ctx):
    tok = trained(student, ctx, vocab_size_for(ctx, "encode"))
    texts = heldout_texts(ctx)[:5]
    ctx.show(texts=texts)
    out = [tok.encode(text).tokens for text in texts]
    pair = tok.encode(texts[0], texts[1])
    out.append({"pair_tokens": pair.tokens, "pair_type_ids": pair.type_ids})
    return out


@case
def round_trip(student, ctx):
    tok = trained(student, ctx, vocab_size_for(ctx, "round_trip"))
    texts = tricky_texts(ctx)
    ctx.show(texts=texts)
    decoded = [tok.decode(tok.encode(t).ids, skip_special_tokens=True) for t in texts]
    return decoded


@case
def save_load(student, ctx):
    tok = trained(student, ctx, 800)
    path = "my_tokenizer.json"
    loaded = _tokenizer(student.save_and_load(tok, path), "save_and_load")
    with open(path, encoding="utf-8") as f:
        on_disk = json.load(f)
    texts = heldout_texts(ctx)
    return {"file_has_model": "model" in on_disk, "same_vocab_size": loaded.get_vocab_size() == tok.get_vocab_size(),
            "same_ids": all(loaded.encode(t).ids == tok.encode(t).ids for t in texts),
            "same_decode": all(loaded.decode(loaded.encode(t).ids) == tok.decode(tok.encode(t).ids) for t in texts)}


@case
def encode_batch(student, ctx):
    rng = case_rng(ctx, "encode_batch")
    tok = trained(student, ctx, 800)
    texts = heldout_texts(ctx)[: (5 if ctx.visible else 8)] + ["", "Hi!"]
    max_length = 16 if ctx.visible else rng.randint(8, 30)
    ctx.show(texts=texts, max_length=max_length)
    batch = student.encode_batch(tok, list(texts), max_length)
    if not isinstance(batch, dict) or set(batch) != {"input_ids", "attention_mask"}:
        raise TypeError("encode_batch must return a dict with exactly the keys 'input_ids' and 'attention_mask'")
    out = {}
    for key in ("input_ids", "attention_mask"):
        array = np.asarray(batch[key])
        if array.ndim != 2 or array.shape[0] != len(texts):
            raise ValueError(f"{key} must have shape (number of texts, padded length) = ({len(texts)}, L), "
                             f"got {array.shape}")
        if array.dtype.kind not in "iu":
            raise TypeError(f"{key} must hold integers (int64), got dtype {array.dtype}")
        out[key] = array.astype(np.int64)
    # the tokenizer must still encode single texts without padding or truncation afterwards
    out["unchanged_after"] = len(tok.encode(" ".join(texts)).ids)
    return out


@case
def fertility(student, ctx):
    tok = trained(student, ctx, vocab_size_for(ctx, "fertility"))
    texts = heldout_texts(ctx)
    value = student.fertility(tok, list(texts))
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"fertility must return a float, got {value!r}")
    return {"fertility": float(value),
            "tokens": [len(tok.encode(t, add_special_tokens=False).ids) for t in texts],
            "words": [len(t.split()) for t in texts]}
