"""Lab 23 custom checks (run outside the sandbox).

check_heldout_loss loads the weights the student's fit saved as safetensors into the lab's model and
computes the loss per token on held-out sentences generated here, from the seed's grammar and a salt
kept in private/, so they never enter the sandbox. On this text a unigram model scores about 3.3
nats per token, the untrained model about 4.3 (ln of the vocabulary size) and the reference loop about
1.6 after 60 steps; the threshold is 1.9."""
from __future__ import annotations

import importlib.util
import math
import sys
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import numpy as np

from labkit.checks import Verdict

MAX_HELDOUT_LOSS = 1.9
N_HELDOUT = 400


@lru_cache(maxsize=1)
def tiny_lm():
    path = Path(__file__).parent / "data" / "tiny_lm.py"
    spec = importlib.util.spec_from_file_location("lab23_tiny_lm_checks", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@contextmanager
def one_thread():
    """A tiny forward pass: extra threads only contend with the sandboxes running beside the grader."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


# ------------------------------------------------------------------ collate

def check_collate(got, expected, ctx) -> Verdict:
    ids, labels, mask = (np.asarray(got[k]) for k in ("input_ids", "labels", "attention_mask"))
    want_ids, want_labels, want_mask = (np.asarray(expected[k]) for k in ("input_ids", "labels", "attention_mask"))
    padded = want_labels == -100
    if not np.array_equal(ids, want_ids):
        return _rows_differ("input_ids", ids, want_ids, "input_ids are the right-padded sequences without their last "
                                                         "position: padded[:, :-1]")
    if np.array_equal(labels, ids):
        return Verdict(False, "labels equal input_ids: the label at position t is the NEXT token, so labels are "
                              "padded[:, 1:] (shifted left by one)", got=str(labels.tolist()))
    if not np.array_equal(labels[padded], want_labels[padded]):
        values = sorted(set(labels[padded].tolist()))
        return Verdict(False, f"the padding positions are not masked to -100 in labels ({int((labels[padded] != -100).sum())}"
                              f" padded positions hold {values[:3]}); cross_entropy(ignore_index=-100) must skip them "
                              "or the model is trained to predict padding", expected=str(want_labels.tolist()),
                       got=str(labels.tolist()))
    if not np.array_equal(labels, want_labels):
        return _rows_differ("labels", labels, want_labels, "labels[b, t] is the token at position t + 1 of sequence b")
    if np.array_equal(mask, ~want_mask):
        return Verdict(False, "attention_mask is inverted: it is True at REAL tokens and False at padding")
    if not np.array_equal(mask, want_mask):
        return _rows_differ("attention_mask", mask, want_mask, "attention_mask is True where input_ids holds a real "
                                                               "token and False at padding")
    return Verdict(True)


def _rows_differ(name: str, got: np.ndarray, want: np.ndarray, rule: str) -> Verdict:
    row = int(np.argmax((got != want).any(axis=1)))
    return Verdict(False, f"{name} row {row} is {got[row].tolist()} where {want[row].tolist()} was expected: {rule}",
                   expected=str(want.tolist()), got=str(got.tolist()))


# ------------------------------------------------------------------ loss

def _token_nll(logits: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    logits = logits.astype(np.float64)
    shifted = logits - logits.max(-1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(-1, keepdims=True))
    scored = labels != -100
    nll = -np.take_along_axis(logp, np.where(scored, labels, 0)[..., None], -1)[..., 0]
    return np.where(scored, nll, 0.0), scored


def check_loss(got, expected, ctx) -> Verdict:
    value, want = got["loss"], expected["loss"]
    if math.isclose(value, want, rel_tol=1e-5, abs_tol=1e-6):
        return Verdict(True)
    nll, scored = _token_nll(np.asarray(expected["logits"]), np.asarray(expected["labels"]))
    diagnoses = [
        (nll.sum() / nll.size, "the loss is divided by every position, padding included: average over the "
                               "positions whose label is not -100 only"),
        (np.mean(nll.sum(1) / scored.sum(1)), "the loss is a mean of per-sequence means, so short sequences weigh "
                                              "as much as long ones: average over all scored tokens at once"),
        (nll.sum(), "the loss is a sum: divide by the number of scored tokens"),
    ]
    message = f"lm_loss returned {value:.6f} where {want:.6f} was expected"
    for candidate, why in diagnoses:
        if math.isclose(value, candidate, rel_tol=1e-5, abs_tol=1e-6):
            message += f": {why}"
            break
    return Verdict(False, message, expected=f"{want:.6f}", got=f"{value:.6f}")


# ------------------------------------------------------------------ evaluate

def check_evaluate(got, expected, ctx) -> Verdict:
    if not got["training_after"]:
        return Verdict(False, "evaluate left the model in eval mode: remember model.training and restore it, so the "
                              "training loop that called it keeps its dropout")
    if not math.isclose(got["loss"], expected["loss"], rel_tol=1e-5, abs_tol=1e-6):
        return Verdict(False, f"evaluate returned {got['loss']:.6f} where {expected['loss']:.6f} was expected: the "
                              "loss per token over ALL sequences (sum of token losses / number of tokens), in eval "
                              "mode (dropout off), under torch.no_grad()")
    return Verdict(True)


# ------------------------------------------------------------------ checkpoint

def check_checkpoint(got, expected, ctx) -> Verdict:
    if got["weights_vs_model"] > 1e-7:
        return Verdict(False, "model.safetensors does not hold the model's state_dict (names or values differ)")
    if got["step"] != 7:
        return Verdict(False, f"load_checkpoint returned {got['step']!r}; it must return the step saved with the "
                              "checkpoint (7 here) as an int")
    if got["weights_after_load"] > 1e-7:
        return Verdict(False, "after load_checkpoint the model's weights differ from the saved ones: "
                              "model.load_state_dict(load_file(path / 'model.safetensors'))")
    if got["optimizer_after_load"] > 1e-7:
        return Verdict(False, "after load_checkpoint the optimizer state (AdamW moments and step counts) differs from "
                              "the saved one: save optimizer.state_dict() and load it with optimizer.load_state_dict, "
                              "or the first steps after a resume use fresh moments")
    if not got["generator_same"]:
        return Verdict(False, "after load_checkpoint the generator draws different numbers than the saved one would: "
                              "save generator.get_state() and restore it with generator.set_state(), or the resumed "
                              "run sees different batches")
    return Verdict(True)


# ------------------------------------------------------------------ training: resume and held-out loss

def _weights(value: dict) -> dict[str, np.ndarray]:
    return {k: np.asarray(v) for k, v in value.items()}


def check_resume(got, expected, ctx) -> Verdict:
    losses, resumed = np.asarray(got["losses"]), np.asarray(got["resumed_losses"])
    if not np.isfinite(losses).all():
        return Verdict(False, "the training loss became NaN or infinite")
    if got["middle_to_final_change"] <= 0:
        return Verdict(False, "the checkpoints saved halfway and at the end hold the same weights: no optimizer step changed "
                              "the model")
    if got["checkpoint_vs_model"] > 1e-6:
        return Verdict(False, "the checkpoint saved at the last step does not hold the model's final weights: save "
                              "after the optimizer step, and also when step == steps")
    half = len(losses) - len(resumed)
    if not np.allclose(resumed, losses[half:], rtol=1e-5, atol=1e-6):
        step = half + 1 + int(np.argmax(~np.isclose(resumed, losses[half:], rtol=1e-5, atol=1e-6)))
        return Verdict(False, f"the resumed run's loss at step {step} is {resumed[step - half - 1]:.5f} where the "
                              f"uninterrupted run had {losses[step - 1]:.5f}: resuming must restore the weights, the "
                              "optimizer state AND the generator state, then continue from the saved step",
                       expected=f"{losses[half:half + 5].round(5).tolist()} ...",
                       got=f"{resumed[:5].round(5).tolist()} ...")
    final, again = _weights(got["weights"]), _weights(got["resumed_weights"])
    if set(final) != set(again):
        return Verdict(False, "the resumed run saved weights with other names than the uninterrupted run")
    worst = max(float(np.abs(final[k] - again[k]).max()) for k in final)
    if worst > 1e-5:
        return Verdict(False, f"resumed training ends with weights that differ from uninterrupted training by {worst:.3g}")
    return Verdict(True)


def _heldout_loss(weights: dict[str, np.ndarray], seed: int, salt: str) -> float:
    import torch

    lm = tiny_lm()
    model = lm.TinyCausalLM(len(lm.vocabulary()), **lm.MODEL_CONFIG)
    model.load_state_dict({k: torch.from_numpy(np.array(v, dtype=np.float32)) for k, v in weights.items()})
    model.eval()
    sequences = lm.token_ids(seed, f"heldout-{salt}", N_HELDOUT)
    width = max(map(len, sequences))
    ids = torch.full((len(sequences), width), lm.PAD, dtype=torch.long)
    for row, seq in enumerate(sequences):
        ids[row, :len(seq)] = torch.tensor(seq)
    labels = ids[:, 1:].masked_fill(ids[:, 1:] == lm.PAD, -100)
    with torch.no_grad(), one_thread():
        logits = model(ids[:, :-1], ids[:, :-1] != lm.PAD)
        return float(torch.nn.functional.cross_entropy(logits.flatten(0, 1), labels.flatten(), ignore_index=-100))


def check_heldout_loss(got, expected, ctx) -> Verdict:
    salt = (ctx.private_dir / "heldout_salt.txt").read_text().strip()
    try:
        loss = _heldout_loss(got["weights"], ctx.seed, salt)
    except (RuntimeError, ValueError, TypeError) as exc:
        first = str(exc).strip().splitlines()[0][:300]
        return Verdict(False, f"the saved weights do not load into TinyCausalLM: {first}. Save model.state_dict() "
                              "unchanged (same names and shapes)")
    reference = _heldout_loss(expected["weights"], ctx.seed, salt)
    message = (f"held-out loss {loss:.3f} nats per token (threshold {MAX_HELDOUT_LOSS}; reference {reference:.3f}; "
               f"a unigram model gets about 3.3, the untrained model {math.log(len(tiny_lm().vocabulary())):.2f})")
    if not loss <= MAX_HELDOUT_LOSS:
        return Verdict(False, message + ". Check that labels are the inputs shifted by one, that every step calls "
                                        "zero_grad, backward and step, and that the weights saved at the last step "
                                        "are the trained ones", expected=f"<= {MAX_HELDOUT_LOSS}", got=f"{loss:.3f}")
    return Verdict(True, message)
