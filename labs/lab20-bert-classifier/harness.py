"""Lab 20 harness (inside the sandbox): the student's encoding, prediction and fine-tuning code on the
tiny pre-trained BERT from build_artifacts.py. Test labels are not here: checks.py scores predictions."""
import csv
import random

import torch

from labkit.harness import case

FINETUNE = dict(steps=150, lr=1e-3, batch_size=32)
VISIBLE_TEXTS = ["the soup was not good .", "i loved the movie , but the staff was very rude ."]
VISIBLE_LABELS = ["negative", "negative"]


def _rng(ctx, name):
    return random.Random(f"{ctx.seed}:{name}")


def _model_dir(ctx):
    return str(ctx.artifacts_dir / "bert-tiny")


def _train(ctx):
    with open(ctx.data_dir / "train.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    return [r["text"] for r in rows], [r["label"] for r in rows]


def _classifier(ctx):
    """The grader's own classifier: pre-trained encoder + a head initialised from the case's seed."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    torch.manual_seed(ctx.seed % 2**31)
    model = AutoModelForSequenceClassification.from_pretrained(_model_dir(ctx), num_labels=2)
    return model.eval(), AutoTokenizer.from_pretrained(_model_dir(ctx))


def _sample(ctx, name, k):
    texts, labels = _train(ctx)
    idx = _rng(ctx, name).sample(range(len(texts)), k)
    return [texts[i] for i in idx], [labels[i] for i in idx]


@case
def load(student, ctx):
    result = student.load_classifier(_model_dir(ctx), num_labels=2)
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise TypeError("load_classifier must return a tuple (model, tokenizer)")
    model, tokenizer = result
    config = getattr(model, "config", None)
    return {"model_class": type(model).__name__, "num_labels": getattr(config, "num_labels", None),
            "id2label": {str(k): v for k, v in (getattr(config, "id2label", None) or {}).items()},
            "parameters": int(sum(p.numel() for p in model.parameters())), "tokenizer_size": len(tokenizer)}


@case
def encode(student, ctx):
    _, tokenizer = _classifier(ctx)
    if ctx.visible:
        texts, labels = VISIBLE_TEXTS, VISIBLE_LABELS
        ctx.show(encode_texts=texts, encode_labels=labels)
    else:
        texts, labels = _sample(ctx, "encode", _rng(ctx, "encode-n").randint(3, 6))
    out = student.encode(tokenizer, list(texts), list(labels))
    if not isinstance(out, dict):
        raise TypeError(f"encode must return a dict, got {type(out).__name__}")
    result = {}
    for key in ("input_ids", "attention_mask", "labels"):
        if not isinstance(out.get(key), torch.Tensor):
            raise TypeError(f"encode: '{key}' must be a torch.Tensor")
        result[key] = out[key].detach().long().tolist()
    return result


@case
def proba(student, ctx):
    model, tokenizer = _classifier(ctx)
    if ctx.visible:
        texts = VISIBLE_TEXTS + ["the pizza was great ."]
        ctx.show(predict_proba_texts=texts, batch_size=2)
        batch_size = 2
    else:
        texts, _ = _sample(ctx, "proba", _rng(ctx, "proba-n").randint(5, 9))
        batch_size = 3
    probs = student.predict_proba(model, tokenizer, list(texts), batch_size=batch_size)
    if not isinstance(probs, torch.Tensor):
        raise TypeError(f"predict_proba must return a torch.Tensor, got {type(probs).__name__}")
    return probs.detach().float()


@case
def predict(student, ctx):
    model, tokenizer = _classifier(ctx)
    texts, _ = _sample(ctx, "predict", 12)
    labels = student.predict(model, tokenizer, list(texts))
    if not isinstance(labels, list) or not all(isinstance(v, str) for v in labels):
        raise TypeError("predict must return a list of label names (str)")
    return labels


@torch.no_grad()
def _grader_predictions(model, tokenizer, texts):
    out = []
    for start in range(0, len(texts), 64):
        batch = tokenizer(texts[start:start + 64], padding=True, return_tensors="pt")
        out += model(**batch).logits.argmax(dim=-1).tolist()
    return out


@case
def finetune(student, ctx):
    model, tokenizer = _classifier(ctx)
    texts, labels = _train(ctx)
    seed = ctx.seed % 2**31
    before = {name: p.detach().clone() for name, p in model.named_parameters()}
    losses = student.train_classifier(model, tokenizer, list(texts), list(labels), FINETUNE["steps"],
                                      FINETUNE["lr"], FINETUNE["batch_size"], seed)
    if not isinstance(losses, (list, tuple)) or len(losses) != FINETUNE["steps"]:
        raise TypeError(f"train_classifier must return the list of its {FINETUNE['steps']} training losses")
    model.eval()
    test = (ctx.data_dir / "test_texts.txt").read_text().splitlines()
    predictions = _grader_predictions(model, tokenizer, test)
    if ctx.visible:
        print(f"fine-tuning (seed {seed}): loss {float(losses[0]):.3f} -> {sum(map(float, losses[-20:])) / 20:.3f}")
    return {"losses": [float(v) for v in losses], "predictions": predictions,
            "facts": _training_facts(student, model, tokenizer, texts, before)}


def _training_facts(student, model, tokenizer, texts, before) -> dict:
    """What the checks need to name the cause when fine-tuning fails (feedback only, never points)."""
    changed = {name: bool((p.detach() != before[name]).any()) for name, p in model.named_parameters()}
    head = [n for n in changed if n.split(".")[0] in ("classifier", "score", "pre_classifier")]
    body = [n for n in changed if n not in head]
    longest = max(texts, key=lambda t: len(tokenizer(t)["input_ids"]))
    try:
        ids = student.encode(tokenizer, [longest])["input_ids"]
        kept = int(len(ids[0]))
    except Exception:  # noqa: BLE001 - encode's own checks report its errors
        kept = None
    return {"body_changed": sum(changed[n] for n in body) / max(1, len(body)),
            "head_changed": any(changed[n] for n in head), "longest_tokens": len(tokenizer(longest)["input_ids"]),
            "longest_kept": kept}
