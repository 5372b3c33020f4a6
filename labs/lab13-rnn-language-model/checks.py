"""Lab 13 custom checks (run outside the sandbox).

check_perplexity loads the weights of the student's trained CharRNN into the lab's architecture and
computes the held-out perplexity itself, on text the student's code never sees: data/heldout.txt for
the visible seed, and for hidden seeds 2,000 characters from the seed's grammar drawn with a salt
kept in private/. Nothing the student's code computes or reports (losses, log-probabilities) enters
the metric. On this text the untrained model scores about 26, a unigram model about 16, a character
bigram model about 5.5 and the reference RNN about 1.6; the threshold is 2.5."""
from __future__ import annotations

import math

import numpy as np

from labkit.checks import Verdict
from labkit.data import load_module, read_text

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


def _texts(ctx) -> tuple[str, str]:
    """(training text, held-out text) of this seed, rebuilt here: the held-out text never enters the sandbox."""
    if ctx.visible:
        return read_text(ctx, "train.txt"), read_text(ctx, "heldout.txt")
    grammar = load_module(ctx, "grammar.py")
    salt = (ctx.private_dir / "heldout_salt.txt").read_text().strip()
    return grammar.generate_text(ctx.seed, 20000), grammar.generate_text(ctx.seed, 2000, stream=salt)


def _logits(weights: dict, ids: np.ndarray) -> np.ndarray:
    """The lab's CharRNN (embedding -> tanh RNN cell -> linear head) in float64, from saved weights."""
    w = {k: np.asarray(v, dtype=np.float64) for k, v in weights.items()}
    x = w["embed.weight"][ids] @ w["cell.weight_ih"].T + w["cell.bias_ih"] + w["cell.bias_hh"]
    h, states = np.zeros(w["cell.weight_hh"].shape[0]), np.empty((len(ids), w["cell.weight_hh"].shape[0]))
    for t in range(len(ids)):
        h = np.tanh(x[t] + w["cell.weight_hh"] @ h)
        states[t] = h
    return states @ w["head.weight"].T + w["head.bias"]


def _perplexity(weights: dict, ids: np.ndarray) -> float:
    logits = _logits(weights, ids[:-1])
    logits = logits - logits.max(axis=1, keepdims=True)
    logp = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    return math.exp(-float(logp[np.arange(len(ids) - 1), ids[1:]].mean()))


def check_perplexity(got, expected, ctx) -> Verdict:
    weights = got["weights"]
    if not all(np.isfinite(np.asarray(v)).all() for v in weights.values()):
        return Verdict(False, "the trained weights contain NaN or infinity: clip the gradient norm "
                              "(torch.nn.utils.clip_grad_norm_) and check the loss")
    shapes = {k: tuple(np.asarray(v).shape) for k, v in weights.items()}
    want = {k: tuple(np.asarray(v).shape) for k, v in expected["weights"].items()}
    if shapes != want:
        name = next(k for k in want if shapes.get(k) != want[k])
        return Verdict(False, f"CharRNN parameter {name} has shape {shapes.get(name)}; expected {want[name]}",
                       expected=str(want[name]), got=str(shapes.get(name)))
    probe = np.asarray(expected["probe"], dtype=np.int64)
    diff = float(np.abs(_logits(weights, probe) - np.asarray(got["probe_logits"], dtype=np.float64)).max())
    if diff > 1e-3:
        return Verdict(False, f"CharRNN's logits differ by {diff:.3g} from embed -> cell (h = tanh(...), starting "
                              "from zeros) -> head computed from its own weights: the grader evaluates those "
                              "weights with exactly that model")
    train, heldout = _texts(ctx)
    vocab = {ch: i for i, ch in enumerate(sorted(set(train)))}
    ids = np.array([vocab[ch] for ch in heldout if ch in vocab], dtype=np.int64)
    ppl = _perplexity(weights, ids)
    reference = _perplexity(expected["weights"], ids)
    message = f"held-out perplexity {ppl:.3f}, computed by the grader from your trained weights " \
              f"(threshold {MAX_PERPLEXITY}; reference {reference:.3f})"
    if not ppl <= MAX_PERPLEXITY:
        seen = _perplexity(weights, np.array([vocab[ch] for ch in train[:2000]], dtype=np.int64))
        if seen > MAX_PERPLEXITY:
            why = (f". On the training text itself it scores {seen:.2f} (a character bigram model gets about 5.5): "
                   "the model did not learn to predict the NEXT character. Check that train_lm updates the "
                   "model's parameters every step on cross-entropy against targets shifted by one")
        else:
            why = (f". On the training text it scores {seen:.2f}, so it fits the training text but does not "
                   "generalise: check the training windows are random over the whole text")
        return Verdict(False, message + why, expected=f"<= {MAX_PERPLEXITY}", got=f"{ppl:.3f}")
    return Verdict(True, message)
