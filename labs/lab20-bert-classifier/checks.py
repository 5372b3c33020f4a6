"""Lab 20 checks (outside the sandbox). Held-out labels live in private/."""

import numpy as np

from labkit.checks import Verdict, allclose, describe
from labkit.tinymodels import loss_curve_problem

LABELS = ["negative", "positive"]
MIN_ACCURACY = 0.85          # keyword baseline 0.50, majority 0.55, frozen encoder ~0.55, reference ~0.99
MIN_UNSEEN_ACCURACY = 0.75   # reviews with adjectives never seen in train.csv (a from-scratch model: ~0.6)
MAX_LOSS_RATIO = 0.5         # the mean of the last 20 fine-tuning losses must fall below 0.5 x the first


def _unseen_words(ctx):
    import csv

    with open(ctx.lab_dir / "data" / "train.csv", newline="") as f:
        seen = {w for row in csv.DictReader(f) for w in row["text"].split()}
    test = (ctx.lab_dir / "data" / "test_texts.txt").read_text().splitlines()
    return test, seen


def check_load(got, expected, ctx):
    if not isinstance(got, dict):
        return Verdict(False, "load_classifier returned nothing usable")
    if got.get("model_class") != expected["model_class"]:
        return Verdict(False, f"the model is a {got.get('model_class')}; load it with "
                              "AutoModelForSequenceClassification.from_pretrained(path, num_labels=...) so it gets "
                              "a classification head on top of the pre-trained encoder")
    for key, fix in (("num_labels", "pass num_labels"), ("id2label", "pass id2label={0: 'negative', 1: 'positive'} "
                                                                     "and the matching label2id"),
                     ("parameters", "load the whole pre-trained encoder plus the head"),
                     ("tokenizer_size", "load the tokenizer from the same folder")):
        if got.get(key) != expected[key]:
            return Verdict(False, f"{key}: expected {expected[key]!r}, got {got.get(key)!r}; {fix}",
                           describe(expected), describe(got))
    return Verdict(True)


def check_encode(got, expected, ctx):
    if not isinstance(got, dict):
        return Verdict(False, "encode returned nothing usable")
    for key in ("input_ids", "attention_mask", "labels"):
        have, want = got.get(key), expected[key]
        if have == want:
            continue
        message = f"{key} differs"
        if key == "labels":
            message += ": map 'negative' to 0 and 'positive' to 1"
        elif have and want and isinstance(have[0], list) and isinstance(want[0], list):
            if len(have[0]) == len(want[0]) - 2:
                message += ": [CLS] and [SEP] are missing; let the tokenizer add its special tokens"
            elif len(have[0]) < len(want[0]):
                message += (f": rows have {len(have[0])} tokens where {len(want[0])} were expected. Truncate at "
                            "the max_length argument (32), not shorter, and pad to the longest text")
            elif len(have[0]) > len(want[0]):
                message += ": pad to the longest text in the batch (padding=True), not to a fixed length"
        return Verdict(False, message, describe(want), describe(have))
    return Verdict(True)


def check_proba(got, expected, ctx):
    have, want = np.asarray(got), np.asarray(expected)
    if have.shape != want.shape:
        return Verdict(False, f"predict_proba has shape {have.shape} where {want.shape} (texts, labels) was expected",
                       describe(want), describe(have))
    sums = have.sum(axis=-1)
    if not np.allclose(sums, 1.0, atol=1e-4):
        return Verdict(False, f"rows sum to {float(sums[0]):.4f}, not 1: apply softmax to the logits",
                       describe(want), describe(have))
    verdict = allclose(have, want, rtol=1e-4, atol=1e-5)
    if not verdict.passed:
        verdict.feedback += (" If only some texts differ, those are the padded ones: pass the attention_mask "
                             "to the model (model(**batch)) so [PAD] tokens are ignored.")
    return verdict


def check_predict(got, expected, ctx):
    if got == expected:
        return Verdict(True)
    if isinstance(got, list) and got and all(v in LABELS for v in got):
        return Verdict(False, "wrong labels: take the argmax of the logits and map 0 -> 'negative', 1 -> 'positive'")
    return Verdict(False, f"predict must return label names {LABELS}, got {describe(got, 120)}")


def _cause(facts: dict) -> str:
    """The most likely cause, from what the harness saw during training (not a list of guesses)."""
    body = facts.get("body_changed")
    if body is not None and body < 0.5:
        return (f"Only {body:.0%} of the pre-trained encoder's weight tensors changed during training: the encoder "
                "is frozen (requires_grad=False, or an optimizer over the head only). Fine-tuning trains every "
                "weight: AdamW(model.parameters(), lr).")
    kept, full = facts.get("longest_kept"), facts.get("longest_tokens")
    if kept is not None and full is not None and kept < min(full, 32):
        return (f"encode keeps only {kept} of the {full} tokens of the longest training review: the clause after "
                "'but', which often decides the label, is cut off. Truncate only at max_length=32.")
    if facts.get("head_changed") is False:
        return "The classification head never changed: is optimizer.step() called on the model's parameters?"
    return ("Every weight changed and the reviews are kept whole, so look at the loss itself: the labels must be "
            "in the batch (model(**batch).loss), one optimizer step per mini-batch, the given learning rate.")


def check_finetune(got, expected, ctx):
    problem = loss_curve_problem(got, MAX_LOSS_RATIO)
    if problem:
        return Verdict(False, f"{problem}. " + _cause((got.get("facts") if isinstance(got, dict) else None) or {}))
    gold = (ctx.private_dir / "test_labels.txt").read_text().splitlines()
    test, seen = _unseen_words(ctx)
    predictions = got.get("predictions") or []
    if len(predictions) != len(gold):
        return Verdict(False, f"{len(predictions)} predictions for {len(gold)} test texts")
    correct = [LABELS[p] == g if p in (0, 1) else False for p, g in zip(predictions, gold)]
    accuracy = sum(correct) / len(gold)
    unseen = [c for c, t in zip(correct, test) if set(t.split()) - seen]
    unseen_accuracy = sum(unseen) / max(1, len(unseen))
    if accuracy < MIN_ACCURACY:
        return Verdict(False, f"held-out accuracy {accuracy:.3f} is below {MIN_ACCURACY} (counting positive and "
                              "negative words gets 0.50, always answering the majority class 0.55). "
                              + _cause(got.get("facts") or {}))
    if unseen_accuracy < MIN_UNSEEN_ACCURACY:
        return Verdict(False, f"accuracy on reviews with adjectives that never occur in train.csv is "
                              f"{unseen_accuracy:.3f} (< {MIN_UNSEEN_ACCURACY}): the model is not using what "
                              "pre-training taught it about those words. " + _cause(got.get("facts") or {}))
    return Verdict(True)
