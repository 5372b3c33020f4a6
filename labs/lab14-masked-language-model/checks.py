"""Lab 14 custom checks (run outside the sandbox).

check_masking tests the BERT masking procedure statistically (any correct implementation passes; a
correct one fails with probability far below 1e-6): about 15% of the non-special tokens selected,
of those about 80% [MASK], 10% a random word, 10% unchanged; labels -100 everywhere else.
check_mlm computes held-out accuracy on masked content words from the student's predictions and the
labels of the reference run. A model that does not use the context scores about 0.06 (it can only
guess the word class); using the sentence's topic, about 0.22; the threshold is 0.15."""
from __future__ import annotations

import math

import numpy as np

from labkit.checks import Verdict

PAD, CLS, SEP, MASK, N_SPECIAL = 0, 1, 2, 3, 4
MIN_ACCURACY = 0.15


def _within(count: int, total: int, p: float, z: float = 5.5) -> bool:
    return abs(count - p * total) <= z * math.sqrt(total * p * (1 - p)) + 1


def check_masking(got, expected, ctx) -> Verdict:
    ids = np.asarray(expected["ids"])
    masked, labels = np.asarray(got["masked"]), np.asarray(got["labels"])
    vocab_size = expected["vocab_size"]
    special = ids < N_SPECIAL
    selected = labels != -100
    if (selected & special).any():
        kind = {PAD: "[PAD]", CLS: "[CLS]", SEP: "[SEP]", MASK: "[MASK]"}[int(ids[selected & special][0])]
        return Verdict(False, f"{int((selected & special).sum())} special tokens (e.g. {kind}) were selected for "
                              "prediction: never select [PAD], [CLS] or [SEP] (ids below 4)")
    if not np.array_equal(labels[selected], ids[selected]):
        return Verdict(False, "labels at selected positions must be the ORIGINAL token ids (what the model has to "
                              "recover), not the masked ones")
    if (labels[~selected] != -100).any() or not selected.any():
        return Verdict(False, "labels must be -100 at every position that was not selected")
    if not np.array_equal(masked[~selected], ids[~selected]):
        return Verdict(False, "tokens that were not selected must stay unchanged in masked_ids")
    candidates = int((~special).sum())
    n_selected = int(selected.sum())
    if not _within(n_selected, candidates, 0.15):
        return Verdict(False, f"{n_selected} of {candidates} non-special tokens were selected ({n_selected / candidates:.1%}); "
                              "select each one independently with probability 0.15",
                       expected="about 15%", got=f"{n_selected / candidates:.1%}")
    now = masked[selected]
    n_mask = int((now == MASK).sum())
    n_keep = int((now == ids[selected]).sum())
    n_random = n_selected - n_mask - n_keep
    if (now[now != MASK] < N_SPECIAL).any():
        return Verdict(False, "a selected token was replaced by a special token: random replacements must be drawn "
                              f"from the real words, ids {N_SPECIAL} to vocab_size - 1")
    if (now >= vocab_size).any():
        return Verdict(False, f"replacement ids must be below vocab_size = {vocab_size}")
    p_keep = 0.1 + 0.1 / (vocab_size - N_SPECIAL)  # a random word can equal the original
    shares = f"[MASK] {n_mask / n_selected:.1%}, random {n_random / n_selected:.1%}, unchanged {n_keep / n_selected:.1%}"
    if not (_within(n_mask, n_selected, 0.8) and _within(n_keep, n_selected, p_keep)
            and _within(n_random, n_selected, 0.1 - 0.1 / (vocab_size - N_SPECIAL))):
        return Verdict(False, f"of the selected tokens: {shares}; BERT uses 80% [MASK], 10% a random word, 10% "
                              "unchanged", expected="80% / 10% / 10%", got=shares)
    if not got.get("same_seed_equal"):
        return Verdict(False, "two generators with the same seed gave different masks: draw every random number "
                              "with generator=generator")
    if got.get("other_seed_equal"):
        return Verdict(False, "different generator seeds gave the same mask: the selection must be random")
    return Verdict(True)


def check_model(got, expected, ctx) -> Verdict:
    if got.get("shape") != expected["shape"]:
        return Verdict(False, f"logits have shape {got.get('shape')}; expected {expected['shape']}")
    if not got.get("finite"):
        return Verdict(False, "the logits of real tokens contain NaN or inf. A classic cause: passing attention_mask "
                              "(True = real token) as src_key_padding_mask, which wants True = PADDING: use "
                              "~attention_mask")
    if got["padding_diff"] > 1e-4:
        return Verdict(False, f"the logits of a sequence change (by {got['padding_diff']:.3g}) when it is padded to a "
                              "longer batch: padding must be hidden from attention with "
                              "src_key_padding_mask=~attention_mask")
    if got["bidirectional_diff"] < 1e-6:
        return Verdict(False, "changing a later token does not change the logits of earlier positions: a masked "
                              "language model reads the whole sentence, so do not use a causal mask")
    return Verdict(True)


def check_mlm(got, expected, ctx) -> Verdict:
    losses = got.get("losses") or []
    if not all(math.isfinite(x) for x in losses):
        return Verdict(False, "the training loss became NaN or infinite (is padding masked correctly?)")
    start, end = float(np.mean(losses[:10])), float(np.mean(losses[-10:]))
    if not end < 0.6 * start:
        return Verdict(False, f"the training loss barely fell ({start:.3f} -> {end:.3f}): mask, forward, mlm_loss, "
                              "zero_grad, backward, step on every batch", got=f"{start:.3f} -> {end:.3f}")
    labels = np.asarray(expected["labels"])
    predictions = np.asarray(got.get("predictions") or [])
    if predictions.shape != labels.shape:
        return Verdict(False, f"expected {len(labels)} predictions, got {predictions.shape}")
    accuracy = float((predictions == labels).mean())
    reference = float((np.asarray(expected["predictions"]) == labels).mean())
    message = (f"held-out accuracy on masked content words {accuracy:.3f} (threshold {MIN_ACCURACY}; reference "
               f"{reference:.3f}; guessing only the word class gives about 0.06)")
    if accuracy < MIN_ACCURACY:
        return Verdict(False, message + ". The model is not using the context of the masked word",
                       expected=f">= {MIN_ACCURACY}", got=f"{accuracy:.3f}")
    return Verdict(True, message)
