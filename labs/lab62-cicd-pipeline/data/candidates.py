"""Candidate "models" for lab 62: tiny bag-of-words intent classifiers stored as JSON dicts, an evaluation
set, and the sequence of candidates a CI/CD pipeline receives (good ones, broken artifacts, a regression, a
weak model), all drawn from a seed."""
from __future__ import annotations

import math
import random

LABELS = ["billing", "shipping", "account"]
KEYWORDS = {"billing": ["invoice", "refund", "charge", "price"],
            "shipping": ["parcel", "delivery", "courier", "tracking"],
            "account": ["password", "login", "email", "profile"]}
FILLER = ["my", "the", "please", "help", "with", "question"]
VOCAB = sorted({w for words in KEYWORDS.values() for w in words} | set(FILLER))
EVAL_SIZE = 60


def predict(model: dict, text: str) -> str:
    index = {w: i for i, w in enumerate(model["vocab"])}
    counts = [0.0] * len(model["vocab"])
    for word in text.lower().split():
        if word in index:
            counts[index[word]] += 1
    scores = [sum(w * c for w, c in zip(row, counts)) + b for row, b in zip(model["weights"], model["bias"])]
    return model["labels"][max(range(len(scores)), key=lambda k: (scores[k], -k))]


def eval_set(seed) -> list[dict]:
    rng = random.Random(f"lab62-eval:{seed}")
    items = []
    for _ in range(EVAL_SIZE):
        label = rng.choice(LABELS)
        words = [rng.choice(KEYWORDS[label])] + [rng.choice(FILLER) for _ in range(rng.randint(1, 3))]
        if rng.random() < 0.12:                                   # a misleading keyword of another intent
            words.append(rng.choice(KEYWORDS[rng.choice([l for l in LABELS if l != label])]))
        rng.shuffle(words)
        items.append({"text": " ".join(words), "label": label})
    return items


def accuracy(model: dict, items: list[dict]) -> float:
    return sum(predict(model, item["text"]) == item["label"] for item in items) / len(items)


def _model(rng, name, noise):
    weights = [[(1.0 if word in KEYWORDS[label] else 0.0) + rng.gauss(0, noise) for word in VOCAB] for label in LABELS]
    model = {"name": name, "labels": list(LABELS), "vocab": list(VOCAB),
             "weights": [[round(w, 4) for w in row] for row in weights],
             "bias": [round(rng.gauss(0, noise / 2), 4) for _ in LABELS]}
    keys = list(model)
    rng.shuffle(keys)                                             # key order is not part of the content
    return {k: model[k] for k in keys}


def _model_in_band(rng, name, items, low, high):
    for attempt in range(2000):
        noise = rng.uniform(0.1, 1.5)
        model = _model(rng, name, noise)
        if low <= accuracy(model, items) <= high:
            return model
    raise RuntimeError(f"no candidate with accuracy in [{low}, {high}]")


def _broken(rng, model):
    model = dict(model)
    kind = rng.choice(["missing", "shape", "non_finite", "duplicate"])
    if kind == "missing":
        model.pop(rng.choice(["labels", "vocab", "weights", "bias"]))
    elif kind == "shape":
        model["weights"] = [row[:-1] for row in model["weights"]]
    elif kind == "non_finite":
        model["bias"] = list(model["bias"])
        model["bias"][rng.randrange(len(model["bias"]))] = math.nan
    else:
        model["labels"] = [model["labels"][0]] * len(model["labels"])
    return model


def sequence(seed) -> list[dict]:
    """Steps: {"candidate": model} or {"rollback": True}. Gate: min accuracy 0.8, max regression 0.02."""
    rng = random.Random(f"lab62-sequence:{seed}")
    items = eval_set(seed)
    first = _model_in_band(rng, "intent-v1", items, 0.82, 0.88)
    second = _model_in_band(rng, "intent-v2", items, 0.9, 0.95)
    base = accuracy(second, items)
    regression = _model_in_band(rng, "intent-v3", items, 0.8, base - 0.05)
    third = _model_in_band(rng, "intent-v4", items, base - 0.01, 1.0)
    weak = _model_in_band(rng, "intent-v5", items, 0.0, 0.7)
    return [{"candidate": first}, {"candidate": _broken(rng, second)}, {"candidate": second},
            {"candidate": regression}, {"candidate": third}, {"rollback": True}, {"candidate": weak},
            {"candidate": _broken(rng, weak)}]
