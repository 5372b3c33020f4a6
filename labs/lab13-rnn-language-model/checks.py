"""Lab 13 custom checks (run outside the sandbox).

check_perplexity computes the held-out perplexity from the student's log-probabilities and the
held-out characters taken from the reference run's copy (never from the student's run). On this
text a unigram model scores about 16, a character bigram model about 5.5 and the reference RNN
about 1.6; the threshold is 2.5."""
from __future__ import annotations

import math

import numpy as np

from labkit.checks import Verdict

MAX_PERPLEXITY = 2.5


def check_batches(got, expected, ctx) -> Verdict:
    ids = np.asarray(expected["ids"], dtype=np.int64)
    inputs, targets = np.asarray(got["inputs"]), np.asarray(got["targets"])
    text = ids.astype(np.uint8).tobytes()
    if not np.array_equal(targets[:, :-1], inputs[:, 1:]):
        if np.array_equal(targets, inputs):
            return Verdict(False, "targets equal inputs: the target at position t is the NEXT character, "
                                  "ids[start + t + 1] (teacher forcing shifts by one)")
        return Verdict(False, "targets are not the inputs shifted left by one position: for a window starting at "
                              "s, inputs = ids[s : s + seq_len] and targets = ids[s + 1 : s + seq_len + 1]",
                       got=f"inputs[0] = {inputs[0].tolist()}, targets[0] = {targets[0].tolist()}")
    for row in range(len(inputs)):
        window = np.concatenate([inputs[row], targets[row, -1:]]).astype(np.uint8).tobytes()
        if text.find(window) < 0:
            return Verdict(False, f"row {row} is not a contiguous window of ids (inputs followed by the last target)",
                           got=f"inputs[{row}] = {inputs[row].tolist()}")
    if not np.array_equal(got["again"], inputs):
        return Verdict(False, "two generators with the same seed gave different batches: draw the start positions "
                              "with torch.randint(..., generator=generator)")
    if np.array_equal(got["other"], inputs):
        return Verdict(False, "generators with different seeds gave the same batch: the start positions must be "
                              "random")
    if len({tuple(r) for r in inputs.tolist()}) == 1 and len(inputs) > 1:
        return Verdict(False, "every row of the batch is the same window: draw one start position per row")
    return Verdict(True)


def check_model(got, expected, ctx) -> Verdict:
    if got.get("logits_shape") != expected["logits_shape"] or got.get("h_shape") != expected["h_shape"]:
        return Verdict(False, f"CharRNN returned logits of shape {tuple(got.get('logits_shape') or ())} and h of shape "
                              f"{tuple(got.get('h_shape') or ())}; expected {tuple(expected['logits_shape'])} "
                              f"(batch, seq_len, vocab_size) and {tuple(expected['h_shape'])} (batch, hidden_size)",
                       expected=f"{expected['logits_shape']}, {expected['h_shape']}",
                       got=f"{got.get('logits_shape')}, {got.get('h_shape')}")
    if got["causal_diff"] > 1e-5:
        return Verdict(False, f"changing the inputs at positions 6 and later changed the logits at positions 0-5 "
                              f"(by {got['causal_diff']:.3g}): a language model may only look at the past")
    if got["carry_diff"] > 1e-4:
        return Verdict(False, f"running the sequence in two pieces, passing the hidden state returned by the first "
                              f"call to the second, does not give the same logits as one call (difference "
                              f"{got['carry_diff']:.3g}): forward(ids, h) must start from h and return the last state")
    return Verdict(True)


def check_logprobs(got, expected, ctx) -> Verdict:
    if got["row_sum_error"] > 1e-3:
        return Verdict(False, f"the rows of next_char_logprobs are not log-probabilities (exp sums off by "
                              f"{got['row_sum_error']:.3g}): apply log_softmax over the vocabulary")
    if got["max_diff"] > 1e-4:
        return Verdict(False, f"next_char_logprobs differs from log_softmax(model(ids[:-1])) by {got['max_diff']:.3g}: "
                              "row t must be the distribution of the character after ids[t] given ids[0..t], with the "
                              "hidden state carried from chunk to chunk")
    return Verdict(True)


def _perplexity(logprobs: np.ndarray, heldout: np.ndarray) -> float:
    targets = heldout[1:]
    return math.exp(-float(logprobs[np.arange(len(targets)), targets].astype(np.float64).mean()))


def check_perplexity(got, expected, ctx) -> Verdict:
    losses = got.get("losses") or []
    if not all(math.isfinite(x) for x in losses):
        return Verdict(False, "the training loss became NaN or infinite: clip the gradient norm "
                              "(torch.nn.utils.clip_grad_norm_) and check the loss")
    start, end = float(np.mean(losses[:10])), float(np.mean(losses[-10:]))
    if not end < 0.7 * start:
        return Verdict(False, f"the training loss barely moved ({start:.3f} -> {end:.3f} over {len(losses)} steps): "
                              "are zero_grad / backward / step called every step, on the cross-entropy of the "
                              "flattened logits?", got=f"{start:.3f} -> {end:.3f}")
    logprobs = np.asarray(got["logprobs"], dtype=np.float64)
    sums = np.exp(logprobs).sum(axis=1)
    if np.abs(sums - 1).max() > 1e-3:
        return Verdict(False, f"next_char_logprobs rows are not normalised log-probabilities (exp sums to "
                              f"{sums.min():.3f}-{sums.max():.3f}): use log_softmax")
    heldout = np.asarray(expected["heldout"], dtype=np.int64)
    ppl = _perplexity(logprobs, heldout)
    reference = _perplexity(np.asarray(expected["logprobs"], dtype=np.float64), heldout)
    message = f"held-out perplexity {ppl:.3f} (threshold {MAX_PERPLEXITY}; reference {reference:.3f})"
    if not ppl <= MAX_PERPLEXITY:
        return Verdict(False, message + ". A character bigram model gets about 5.5 here. Check that row t predicts "
                                        "the character AFTER position t, and that training uses shifted targets",
                       expected=f"<= {MAX_PERPLEXITY}", got=f"{ppl:.3f}")
    return Verdict(True, message)
