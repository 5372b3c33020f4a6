"""Lab 29 checks (outside the sandbox).

Test accuracy is computed here from the student's predictions and private/test_labels.txt. Validation
accuracy is recomputed here from the student's validation predictions, and the student's confidence
intervals must equal the t intervals of those accuracies. The protocol (one fresh pre-trained copy per
model and seed, the same number of training steps for both models) comes from the harness's counting
loader, not from anything the student reports."""
from __future__ import annotations

import csv
import math

import numpy as np
from scipy import stats

from labkit.checks import Verdict, describe

NAMES = ("encoder-mlm", "decoder-clm")
F32 = dict(rtol=1e-4, atol=1e-5)
CI = dict(rel_tol=1e-9, abs_tol=1e-12)
# Reference (40 steps, seeds 0-2): encoder ~0.72, decoder ~0.65. From scratch (no pre-training): encoder
# ~0.62, decoder ~0.50; a decoder pooled at its first token ~0.50.
MIN_TEST_ACCURACY = {"encoder-mlm": 0.67, "decoder-clm": 0.60}
MAX_VAL_TEST_GAP = 0.15      # val and test are drawn alike; the reference's gap is under 0.02


def _close(a, b, tol) -> bool:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and bool(np.allclose(a, b, **tol))


def t_interval(values, confidence):
    values = np.asarray(values, dtype=np.float64)
    n, mean = len(values), float(values.mean())
    half = float(stats.t.ppf((1 + confidence) / 2, n - 1) * values.std(ddof=1) / math.sqrt(n))
    return mean, mean - half, mean + half


# ----------------------------------------------------------------- pooling, classifier, fine-tuning

def check_pool(got, expected, ctx):
    hidden = np.asarray(expected["hidden"], dtype=np.float64)
    mask = np.asarray(expected["attention_mask"], dtype=np.float64)
    lengths = mask.sum(axis=1).astype(int)
    for kind in ("encoder", "decoder"):
        have, want = np.asarray(got.get(kind)), np.asarray(expected[kind])
        if have.shape != want.shape:
            return Verdict(False, f"pool(..., '{kind}') has shape {have.shape} where {want.shape} (batch, d_model) "
                                  "was expected")
        if _close(have, want, F32):
            continue
        rows = np.arange(len(lengths))
        known = {
            "the first position (hidden[:, 0]); in a decoder it has seen only the first token: use the last real "
            "token, hidden[b, lengths[b] - 1]": hidden[:, 0],
            "the last position of the padded row (hidden[:, -1]); rows with padding must use their last REAL "
            "token, at attention_mask.sum(1) - 1": hidden[:, -1],
            "the mean over all positions, padding included; weight each position by attention_mask and divide by "
            "the number of real tokens": hidden.mean(axis=1),
            "the mean over the real tokens; the decoder must use its last real token instead": (
                (hidden * mask[:, :, None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)),
            "the last real token; the encoder must use the mean over its real tokens":
                hidden[rows, lengths - 1],
        }
        for what, candidate in known.items():
            if _close(have, candidate, F32):
                return Verdict(False, f"pool(..., '{kind}') returned {what}", describe(want), describe(have))
        return Verdict(False, f"pool(..., '{kind}') differs from the expected pooled vectors", describe(want),
                       describe(have))
    return Verdict(True)


def check_classifier(got, expected, ctx):
    for name in NAMES:
        have, want = got.get(name) or {}, expected[name]
        if have.get("parameters") != want["parameters"]:
            return Verdict(False, f"{name}: the Classifier has {have.get('parameters')} parameters where "
                                  f"{want['parameters']} (the backbone's plus the head's) were expected: keep the "
                                  "backbone as a submodule and add exactly one nn.Linear head")
        if have.get("trainable") != want["trainable"]:
            return Verdict(False, f"{name}: only {have.get('trainable')} of {want['parameters']} parameters are "
                                  "trainable; fine-tuning updates the backbone too, so freeze nothing")
        if not _close(have.get("logits"), want["logits"], F32):
            return Verdict(False, f"{name}: logits differ: backbone(input_ids, attention_mask), then pool with the "
                                  "backbone's kind, then the head", describe(want["logits"]), describe(have.get("logits")))
    return Verdict(True)


def check_fine_tune(got, expected, ctx):
    for name in NAMES:
        have, want = got.get(name) or {}, expected[name]
        losses = have.get("losses") or []
        if not _close(losses[:1], want["losses"][:1], F32):
            return Verdict(False, f"{name}: the first loss is {losses[:1]} where {want['losses'][:1]} was expected: "
                                  "batch 0 is the first batch_size indices of randperm(n, generator=g), "
                                  "g = torch.Generator().manual_seed(seed); loss = F.cross_entropy(logits, labels)")
        for key, value in want["weights"].items():
            if not _close((have.get("weights") or {}).get(key), value, F32):
                return Verdict(False, f"{name}: after {len(want['losses'])} steps {key} differs: AdamW(classifier."
                                      "parameters(), lr=lr, weight_decay=0.01), zero_grad, backward, step each batch")
    return Verdict(True)


# ----------------------------------------------------------------- intervals

def check_intervals(got, expected, ctx):
    for key, label in (("a", "confidence_interval"), ("difference", "paired_difference")):
        have, want = got.get(key), expected[key]
        if have is None or not all(math.isclose(h, w, **CI) for h, w in zip(have, want)):
            message = f"{label} returned {describe(have)} where {describe(want)} (mean, low, high) was expected"
            if have and math.isclose(have[0], want[0], **CI):
                half, want_half = have[2] - have[0], want[2] - want[0]
                ratio = half / want_half if want_half else float("nan")
                message += (f"; the mean is right but the half-width is {ratio:.3f} times the expected one: use "
                            "the t quantile stats.t.ppf((1 + confidence) / 2, n - 1), not the normal 1.96, and the "
                            "sample standard deviation (n - 1 in the denominator)")
            elif key == "difference":
                message += "; the paired interval is the t interval of the per-seed differences a[i] - b[i]"
            return Verdict(False, message, describe(want), describe(have))
    return Verdict(True)


# ----------------------------------------------------------------- the comparison

def _protocol_problem(got) -> str | None:
    seeds, steps = got["seeds"], got["steps"]
    for name in NAMES:
        copies = got["copies"].get(name, [])
        if len(copies) != len(seeds):
            return (f"{name}: load_backbone was called {len(copies)} times for {len(seeds)} seeds: every seed needs "
                    "its own fresh pre-trained copy, or later seeds continue from an already fine-tuned model")
        for i, copy in enumerate(copies):
            if copy["training_forwards"] != steps:
                return (f"{name}: copy {i} ran {copy['training_forwards']} training forward passes where the budget is "
                        f"{steps} steps (one forward per step); both models get exactly the same budget")
    return None


def _val_labels(ctx) -> list[int]:
    with open(ctx.lab_dir / "data" / "val.csv", newline="") as f:
        return [int(row["label"]) for row in csv.DictReader(f)]


def _accuracy(predictions, labels) -> float:
    return sum(int(p == y) for p, y in zip(predictions, labels)) / len(labels)


def _test_labels(ctx) -> list[int]:
    return [int(x) for x in (ctx.private_dir / "test_labels.txt").read_text().split()]


def _intervals_problem(got, ctx, confidence: float = 0.95) -> str | None:
    labels, gold = _val_labels(ctx), _test_labels(ctx)
    accuracies = {}
    for name in NAMES:
        measured = [_accuracy(run, labels) for run in got[name]["val_predictions"]]
        reported = got[name]["val_accuracy"]
        if len(reported) != len(measured) or not all(math.isclose(r, m, **CI) for r, m in zip(reported, measured)):
            return (f"{name}: the reported validation accuracies {describe(reported)} are not those of the reported "
                    f"validation predictions {describe(measured)}")
        test = float(np.mean([_accuracy(run, gold) for run in got[name]["test_predictions"]]))
        if abs(float(np.mean(measured)) - test) > MAX_VAL_TEST_GAP:
            return (f"{name}: validation accuracy {np.mean(measured):.3f} but test accuracy {test:.3f}; val.csv and "
                    "the test reviews come from the same distribution, so the validation predictions must be the "
                    "model's own predictions on val_texts")
        want = t_interval(measured, confidence)
        if not all(math.isclose(h, w, **CI) for h, w in zip(got[name]["val_ci"], want)):
            return (f"{name}: val_ci {describe(got[name]['val_ci'])} is not the {confidence:.0%} t interval "
                    f"{describe(list(want))} of the validation accuracies over seeds")
        accuracies[name] = measured
    first, second = NAMES
    want = t_interval(np.subtract(accuracies[first], accuracies[second]), confidence)
    if not all(math.isclose(h, w, **CI) for h, w in zip(got["val_difference_ci"], want)):
        return (f"val_difference_ci {describe(got['val_difference_ci'])} is not the paired t interval "
                f"{describe(list(want))} of {first} minus {second}, seed by seed")
    return None


def check_protocol(got, expected, ctx):
    problem = _protocol_problem(got)
    return Verdict(problem is None, problem or "")


def check_report_intervals(got, expected, ctx):
    problem = _intervals_problem(got, ctx)
    return Verdict(problem is None, problem or "")


def check_comparison(got, expected, ctx):
    """The whole visible comparison: protocol, the student's intervals, and test accuracy computed here."""
    problem = _protocol_problem(got) or _intervals_problem(got, ctx)
    if problem:
        return Verdict(False, problem)
    gold = _test_labels(ctx)
    summary = []
    for name in NAMES:
        accuracies = [_accuracy(run, gold) for run in got[name]["test_predictions"]]
        mean, low, high = t_interval(accuracies, 0.95)
        summary.append(f"{name}: test accuracy {mean:.3f} (95% CI {low:.3f} to {high:.3f})")
        if mean < MIN_TEST_ACCURACY[name]:
            return Verdict(False, f"{'; '.join(summary)}: below {MIN_TEST_ACCURACY[name]}. Half the test reviews use "
                                  "adjectives absent from train.csv, so only what pre-training taught the model helps "
                                  "there: fine-tune the whole pre-trained model and pool the right positions")
    return Verdict(True, "; ".join(summary))
