"""Lab 42 checks (outside the sandbox).

Deterministic quantities (learning rates, squared gradient norms, the noise-scale estimates, trained
weights) are compared with the reference exactly, up to float64 rounding. Timings cannot be: the machine
is shared, so a timing is checked for consistency with the grader's own clock (how long each call of the
step function really took, measured inside it) and with a re-measurement taken right after the student's.
Held-out loss is computed here from the returned weights on private/heldout.json."""
from __future__ import annotations

import json
import math

import numpy as np

from labkit.checks import Verdict, describe

EXACT = dict(rtol=1e-12, atol=1e-15)
GRAD = dict(rtol=1e-9, atol=1e-12)
WEIGHTS = dict(rtol=1e-7, atol=1e-9)     # float64 over a few hundred SGD steps
TIMING_SLACK_S = 0.002                   # loop and call overhead a timing may add on a busy machine
REMEASURE_FACTOR = 5.0                   # a throughput figure within 5x of the grader's re-measurement
HELDOUT_MARGIN = 0.03                    # nats of held-out loss the student's runs may trail the reference


def _close(a, b, tol) -> bool:
    return bool(np.allclose(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64), **tol))


# ----------------------------------------------------------------- learning-rate rules

def check_lr_rules(got, expected, ctx):
    if not isinstance(got, dict):
        return Verdict(False, "no learning rates came back")
    for key, want in expected["scaled"].items():
        have = (got.get("scaled") or {}).get(key)
        if have is None or not math.isclose(have, want, rel_tol=1e-12, abs_tol=1e-15):
            rule, batch = key.split(" ")
            return Verdict(False, f"scale_learning_rate(..., {batch[2:]}, {rule!r}) is {have} where {want} was expected: "
                                  "linear multiplies base_lr by batch_size / base_batch_size, sqrt by its square root",
                           describe(want), describe(have))
    have_warm, want_warm = got.get("warmup") or [], expected["warmup"]
    if len(have_warm) != len(want_warm) or not _close(have_warm, want_warm, EXACT):
        shifted = len(have_warm) == len(want_warm) and _close(have_warm[1:], want_warm[:-1], EXACT)
        extra = (" Your schedule is one step late: the first step (step 0) already uses peak_lr * 1 / warmup_steps."
                 if shifted or (have_warm and have_warm[0] == 0) else "")
        return Verdict(False, "warmup_learning_rate differs: peak_lr * (step + 1) / warmup_steps while step < "
                              f"warmup_steps, then peak_lr.{extra}", describe(want_warm), describe(have_warm))
    if got.get("unknown_rule") != "ValueError":
        return Verdict(False, "scale_learning_rate(..., rule='cubic') must raise ValueError for an unknown rule")
    return Verdict(True)


# ----------------------------------------------------------------- timing

def _timing_problem(reported: float, durations: list[float], warmup: int, timed: int) -> str | None:
    """None if `reported` agrees with the inside clock of the timed calls, else what went wrong."""
    if not isinstance(reported, float) or not math.isfinite(reported):
        return f"the reported time must be a finite number of seconds, got {reported!r}"
    if len(durations) != warmup + timed:
        return (f"step_fn was called {len(durations)} times; with warmup_steps={warmup} and timed_steps={timed} it "
                f"must be called {warmup} times untimed, then {timed} times timed")
    truth = sum(durations[warmup:]) / timed
    if truth * 0.8 - 0.0005 <= reported <= truth * 1.25 + TIMING_SLACK_S:
        return None
    seen = f"you reported {reported * 1000:.3f} ms per step; the timed calls took {truth * 1000:.3f} ms on average"
    if math.isclose(reported, sum(durations) / timed, rel_tol=0.2) or \
            math.isclose(reported, sum(durations) / len(durations), rel_tol=0.2):
        return (f"{seen}. The warm-up calls (the first one is slow) are inside your timer: start the clock after "
                "the warmup_steps calls")
    if math.isclose(reported, truth * timed, rel_tol=0.2):
        return f"{seen}. That is the total for all timed steps: divide by timed_steps"
    if math.isclose(reported, truth * 1000, rel_tol=0.2):
        return f"{seen}. Report seconds, not milliseconds"
    return f"{seen}. Time the timed_steps calls with time.perf_counter() and divide by timed_steps"


def check_timing(got, expected, ctx):
    """The reported seconds per step agree with how long the timed calls really took."""
    if not isinstance(got, dict):
        return Verdict(False, "time_steps returned nothing usable")
    problem = _timing_problem(got["reported"], got["durations"], got["warmup_steps"], got["timed_steps"])
    return Verdict(problem is None, problem or "")


def check_throughput(got, expected, ctx):
    """Rows are consistent, each figure agrees with the grader's clock inside the step function, and with a
    re-measurement taken right after (loosely: the machine is shared)."""
    if not isinstance(got, dict):
        return Verdict(False, "throughput_table returned nothing usable")
    rows, sizes = got["rows"], got["batch_sizes"]
    if [r["batch_size"] for r in rows] != sizes:
        return Verdict(False, f"rows for batch sizes {[r['batch_size'] for r in rows]} where {sizes} (in that order) "
                              "were expected")
    for row in rows:
        size, seconds = int(row["batch_size"]), row["seconds_per_step"]
        if not seconds > 0:
            return Verdict(False, f"batch size {size}: seconds_per_step must be positive, got {seconds}")
        for key, want in (("examples_per_second", size / seconds),
                          ("tokens_per_second", size * got["seq_len"] / seconds)):
            if not math.isclose(row[key], want, rel_tol=1e-6):
                return Verdict(False, f"batch size {size}: {key} is {row[key]:.6g} but the row's own seconds_per_step "
                                      f"gives {want:.6g} (examples = batch_size / seconds_per_step, tokens = examples "
                                      f"x seq_len = {got['seq_len']})")
        durations = got["inside"].get(str(size), [])
        problem = _timing_problem(seconds, durations, got["warmup_steps"], got["timed_steps"])
        if problem:
            return Verdict(False, f"batch size {size}: {problem} (time make_step({size}) with time_steps)")
        again = got["remeasured"][str(size)]
        if not again / REMEASURE_FACTOR - TIMING_SLACK_S <= seconds <= again * REMEASURE_FACTOR + TIMING_SLACK_S:
            return Verdict(False, f"batch size {size}: you report {seconds * 1000:.3f} ms per step; the grader measured "
                                  f"{again * 1000:.3f} ms right after you. Report what time_steps measured")
    first, last = rows[0], rows[-1]
    if not last["examples_per_second"] > first["examples_per_second"]:
        return Verdict(False, f"batch size {int(last['batch_size'])} processes {last['examples_per_second']:.0f} "
                              f"examples/s, no more than batch size {int(first['batch_size'])} "
                              f"({first['examples_per_second']:.0f}): the fixed per-step cost should be amortised "
                              "over larger batches")
    return Verdict(True)


# ----------------------------------------------------------------- gradient noise scale

def check_grad_norm(got, expected, ctx):
    have, want = got.get("values") if isinstance(got, dict) else None, expected["values"]
    if not isinstance(have, list) or len(have) != len(want):
        return Verdict(False, "grad_sq_norm returned nothing usable")
    for i, (h, w) in enumerate(zip(have, want)):
        if _close(h, w, GRAD):
            continue
        call = "first" if i == 0 else "second"
        if _close(h, math.sqrt(w), GRAD):
            return Verdict(False, f"{call} call: {h:.6g} is the gradient NORM |g|; return its square |g|^2 "
                                  "(the sum of squared entries over all parameters)", describe(w), describe(h))
        if i == 1 and _close(have[0], want[0], GRAD):
            return Verdict(False, "the first call is right but the second is not: zero the gradients (model.zero_grad()) "
                                  "before backward(), or .grad accumulates the previous batch", describe(w), describe(h))
        return Verdict(False, f"{call} call (batch of {got['batch_sizes'][i]}): |g|^2 = {h:.6g} where {w:.6g} was "
                              "expected; back-propagate the mean loss loss_fn(model(inputs), targets)",
                       describe(w), describe(h))
    return Verdict(True)


NOISE_HINTS = {
    "g2_small": "the mean of grad_sq_norm over the small batches",
    "g2_large": "the mean of grad_sq_norm over the large batches",
    "grad_sq": "|G|^2 = (B_large * g2_large - B_small * g2_small) / (B_large - B_small)",
    "trace_sigma": "tr(Sigma) = (g2_small - g2_large) / (1 / B_small - 1 / B_large)",
    "b_simple": "B_simple = trace_sigma / grad_sq",
}


def check_noise_scale(got, expected, ctx):
    if not isinstance(got, dict):
        return Verdict(False, "gradient_noise_scale returned nothing usable")
    for key, formula in NOISE_HINTS.items():
        if not _close(got.get(key, np.nan), expected[key], GRAD):
            return Verdict(False, f"{key} is {got.get(key)!r} where {expected[key]:.6g} was expected: {formula}",
                           describe(expected[key]), describe(got.get(key)))
    return Verdict(True)


# ----------------------------------------------------------------- fixed-budget study

def _heldout(ctx) -> tuple[np.ndarray, np.ndarray]:
    data = json.loads((ctx.private_dir / "heldout.json").read_text())
    return np.asarray(data["contexts"]), np.asarray(data["targets"])


def heldout_loss(weights: dict, contexts: np.ndarray, targets: np.ndarray) -> float:
    """Mean next-token cross-entropy of the TinyLM with these weights (the harness's architecture)."""
    w = {k: np.asarray(v, dtype=np.float64) for k, v in weights.items()}
    embedded = w["embed.weight"][contexts].reshape(len(contexts), -1)
    hidden = np.tanh(embedded @ w["hidden.weight"].T + w["hidden.bias"])
    logits = hidden @ w["out.weight"].T + w["out.bias"]
    logits -= logits.max(axis=1, keepdims=True)
    log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    return float(-log_probs[np.arange(len(targets)), targets].mean())


def _runs(got, expected):
    runs = got.get("runs") if isinstance(got, dict) else None
    if not isinstance(runs, dict) or set(runs) != set(expected["runs"]):
        return None
    return runs


def check_study_weights(got, expected, ctx):
    """Each batch size's trained weights equal the reference's (scaled lr, warmup, batch order, SGD)."""
    runs = _runs(got, expected)
    if runs is None:
        return Verdict(False, "no trained weights came back for the study's batch sizes")
    for size, want in expected["runs"].items():
        have = runs[size]["weights"]
        for name, value in want["weights"].items():
            if name not in have or not _close(have[name], value, WEIGHTS):
                first_loss_ok = _close(runs[size]["losses"][:1], want["losses"][:1], WEIGHTS)
                second_ok = _close(runs[size]["losses"][:2], want["losses"][:2], WEIGHTS)
                where = ("the first batch's loss already differs: check the batch order (one generator seeded with "
                         "seed, batches = consecutive slices of concatenated randperm(n) draws)" if not first_loss_ok
                         else "the first step's loss matches but the second does not: check the learning rate of "
                              "step 0 (warmup_learning_rate(0, scaled lr, warmup_steps)) and the SGD update"
                         if not second_ok else "the losses drift apart later: check the warmup and the scaled lr")
                return Verdict(False, f"batch size {size}: {name} differs from the reference after training; {where}",
                               describe(np.asarray(value)), describe(np.asarray(have.get(name))))
    return Verdict(True)


def check_heldout(got, expected, ctx):
    """Held-out loss of every batch size's weights, computed here, is within a margin of the reference's."""
    runs = _runs(got, expected)
    if runs is None:
        return Verdict(False, "no trained weights came back for the study's batch sizes")
    contexts, targets = _heldout(ctx)
    report = []
    for size, want in expected["runs"].items():
        try:
            mine = heldout_loss(runs[size]["weights"], contexts, targets)
        except (KeyError, ValueError, IndexError):
            return Verdict(False, f"batch size {size}: the trained weights do not fit the model")
        ref = heldout_loss(want["weights"], contexts, targets)
        report.append(f"B={size}: {mine:.3f} (reference {ref:.3f})")
        if not math.isfinite(mine) or mine > ref + HELDOUT_MARGIN:
            base = int(size) == expected["config"]["base_batch_size"]
            fix = ("even the base batch size, whose learning rate is not scaled, is behind: check the training loop "
                   "(batches from the seeded stream, zero_grad, backward, sgd_step every step)" if base else
                   "scale the learning rate with the batch size (linear rule) and warm it up")
            return Verdict(False, f"held-out loss per batch size: {'; '.join(report)}. Batch size {size} is more than "
                                  f"{HELDOUT_MARGIN} nats behind: {fix}", "; ".join(report), None)
    return Verdict(True, "held-out loss per batch size: " + "; ".join(report))
