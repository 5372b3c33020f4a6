"""Lab 27 custom checks (run outside the sandbox).

check_accuracy scores the student's predictions on the held-out messages against private/test_labels.txt
(the labels never enter the sandbox). The bar is relative to the reference fine-tuned with the same
configuration and seed (at most MAX_GAP_TO_REFERENCE below it) and never under MIN_ACCURACY; a
majority-class guess scores about 0.27, the CPU-sized reference about 0.95."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from labkit.checks import Verdict, allclose, describe

LABELS = ["billing", "delivery", "technical", "account"]
MAX_GAP_TO_REFERENCE = 0.08
MIN_ACCURACY = 0.6
POOL_TOL = dict(rtol=1e-5, atol=1e-6)
LOGITS_TOL = dict(rtol=1e-4, atol=1e-4)


# ------------------------------------------------------------------ pooling

def _pool_variants(hidden: np.ndarray, mask: np.ndarray) -> list[tuple[np.ndarray, str]]:
    return [
        (hidden.mean(axis=1), "the mean runs over every position, padding included: multiply by the attention "
                              "mask and divide by the number of real tokens (mask.sum(1)), not by T"),
        (hidden[:, 0], "this is the first ([CLS]) position, not the mean over the real tokens"),
        ((hidden * mask[..., None]).sum(axis=1), "this is the sum over real tokens: divide by their number"),
    ]


def check_pool(got, expected, ctx) -> Verdict:
    have, want = np.asarray(got["pooled"]), np.asarray(expected["pooled"])
    verdict = allclose(have, want, **POOL_TOL)
    if verdict.passed:
        return verdict
    hidden, mask = np.asarray(expected["hidden"], dtype=np.float64), np.asarray(expected["mask"], dtype=np.float64)
    for candidate, why in _pool_variants(hidden, mask):
        if candidate.shape == have.shape and np.allclose(have, candidate, **POOL_TOL):
            verdict.feedback = f"mean_pool: {why}"
            return verdict
    verdict.feedback = f"mean_pool differs from the masked mean: {verdict.feedback}"
    return verdict


# ------------------------------------------------------------------ classifier

def check_classifier(got, expected, ctx) -> Verdict:
    have, want = np.asarray(got["logits"]), np.asarray(expected["logits"])
    verdict = allclose(have, want, **LOGITS_TOL)
    if verdict.passed:
        return verdict
    lengths = expected["lengths"]
    full = [i for i, n in enumerate(lengths) if n == max(lengths)]
    padded = [i for i in range(len(lengths)) if i not in full]
    rows_ok = [i for i in range(len(lengths)) if np.allclose(have[i], want[i], **LOGITS_TOL)]
    if full and all(i in rows_ok for i in full) and padded and not any(i in rows_ok for i in padded):
        why = ("only the rows with padding differ: the pooled vector must ignore padded positions (masked mean "
               "with the attention mask), and the encoder must get the attention_mask too")
    else:
        why = ("logits = head(dropout(mean_pool(encoder(input_ids, attention_mask).last_hidden_state, "
               "attention_mask))); in eval mode dropout does nothing")
    verdict.feedback = f"logits with the grader's head weights differ from the expected ones ({verdict.feedback}): {why}"
    return verdict


# ------------------------------------------------------------------ freezing schedule

def check_freezing(got, expected, ctx) -> Verdict:
    k = got["freeze_steps"]
    frozen, later = got["frozen_phase"], got["after_unfreezing"]
    if frozen["encoder_change"] > 0:
        return Verdict(False, f"after fine_tune(steps={k}, freeze_steps={k}) the encoder's weights changed (by up to "
                              f"{frozen['encoder_change']:.3g}): during the first freeze_steps steps the encoder must be "
                              "frozen (requires_grad False on every encoder parameter) so only the head learns")
    if frozen["head_change"] <= 0:
        return Verdict(False, f"after fine_tune(steps={k}, freeze_steps={k}) the head did not change: the head trains "
                              "from the first step")
    if later["encoder_change"] <= 0:
        return Verdict(False, f"after fine_tune(steps={k + 2}, freeze_steps={k}) the encoder is still unchanged: "
                              "unfreeze it at step freeze_steps, and make sure the optimizer holds the encoder's "
                              "parameters (an optimizer built from the trainable parameters while the encoder was "
                              "frozen never updates it)")
    if not later["encoder_trainable"]:
        return Verdict(False, "after the frozen phase every encoder parameter must have requires_grad=True")
    return Verdict(True)


# ------------------------------------------------------------------ held-out accuracy

@lru_cache(maxsize=2)
def _labels(private_dir: str) -> np.ndarray:
    names = (Path(private_dir) / "test_labels.txt").read_text(encoding="utf-8").split()
    return np.array([LABELS.index(n) for n in names])


def _accuracy(predictions, truth: np.ndarray) -> float:
    return float((np.asarray(predictions) == truth).mean())


def check_accuracy(got, expected, ctx) -> Verdict:
    truth = _labels(str(ctx.private_dir))
    predictions = got.get("predictions") if isinstance(got, dict) else None
    if not isinstance(predictions, list) or len(predictions) != len(truth):
        return Verdict(False, f"predict must return {len(truth)} class ids")
    accuracy, reference = _accuracy(predictions, truth), _accuracy(expected["predictions"], truth)
    needed = max(MIN_ACCURACY, reference - MAX_GAP_TO_REFERENCE)
    majority = float(np.bincount(truth).max() / len(truth))
    counts = np.bincount(np.asarray(predictions), minlength=len(LABELS))
    message = (f"held-out accuracy {accuracy:.3f} on {len(truth)} messages (reference {reference:.3f}, needed >= "
               f"{needed:.3f}; always guessing the commonest department scores {majority:.3f})")
    if accuracy >= needed:
        return Verdict(True, message)
    if counts.max() == len(truth):
        message += f". Every prediction is '{LABELS[int(counts.argmax())]}': the classifier learned nothing"
    return Verdict(False, message + ". Check that the head reads the masked mean of the encoder's output, that the "
                                    "encoder is unfrozen after freeze_steps with its own learning rate, and that "
                                    "predict runs the model in eval mode and takes the argmax of the logits",
                   expected=f">= {needed:.3f}", got=describe(round(accuracy, 3)))
