"""Lab 20 harness (inside the sandbox): the student's encoding, prediction and fine-tuning code on the
tiny pre-trained BERT from build_artifacts.py. Test labels are not here: checks.py scores predictions."""
import csv
import random

import torch

from labkit.harness import case
from labkit.tinymodels import load_model_dir, loaded, model_dir, student_training, tensor_lists

FINETUNE = dict(steps=150, lr=1e-3, batch_size=32)
VISIBLE_TEXTS = ["the soup was not good .", "i loved the movie , but the staff was very rude ."]
VISIBLE_LABELS = ["negative", "negative"]


def _rng(ctx, name):
    return random.Random(f"{ctx.seed}:{name}")


def _train(ctx):
    with open(ctx.data_dir / "train.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    return [r["text"] for r in rows], [r["label"] for r in rows]


def _classifier(ctx):
    """The grader's own classifier: pre-trained encoder + a head initialised from the case's seed."""
    return load_model_dir(ctx, "bert-tiny", "AutoModelForSequenceClassification", seed=ctx.seed % 2**31, num_labels=2)


def _sample(ctx, name, k):
    texts, labels = _train(ctx)
    idx = _rng(ctx, name).sample(range(len(texts)), k)
    return [texts[i] for i in idx], [labels[i] for i in idx]


@case
def load(student, ctx):
    model, _, summary = loaded(student.load_classifier(model_dir(ctx, "bert-tiny"), num_labels=2), "load_classifier")
    config = getattr(model, "config", None)
    return {**summary, "num_labels": getattr(config, "num_labels", None),
            "id2label": {str(k): v for k, v in (getattr(config, "id2label", None) or {}).items()}}


@case
def encode(student, ctx):
    _, tokenizer = _classifier(ctx)
    if ctx.visible:
        texts, labels = VISIBLE_TEXTS, VISIBLE_LABELS
        ctx.show(encode_texts=texts, encode_labels=labels)
    else:
        texts, labels = _sample(ctx, "encode", _rng(ctx, "encode-n").randint(3, 6))
    return tensor_lists(student.encode(tokenizer, list(texts), list(labels)), "encode")


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
    losses = student_training(student.train_classifier, model, tokenizer, texts, labels, config=FINETUNE, seed=seed,
                              what="train_classifier")
    test = (ctx.data_dir / "test_texts.txt").read_text().splitlines()
    predictions = _grader_predictions(model, tokenizer, test)
    if ctx.visible:
        print(f"fine-tuning (seed {seed}): loss {float(losses[0]):.3f} -> {sum(map(float, losses[-20:])) / 20:.3f}")
    return {"losses": losses, "predictions": predictions,
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
