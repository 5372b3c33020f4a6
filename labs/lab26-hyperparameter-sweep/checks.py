"""Lab 26 custom checks (run outside the sandbox).

Every loss in the student's table is re-measured here from the weights the run returned, on the
validation sentences regenerated from the seed, and the chosen configuration is judged on held-out
sentences generated with a salt kept in private/ (they never enter the sandbox). Within the 20-step
budget the baseline (lr 1e-3) reaches a held-out loss of about 4.0 nats per token and the best learning
rate about 1.7; the chosen configuration must beat the baseline by at least 0.1."""
from __future__ import annotations

import importlib.util
import math
import sys
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import numpy as np

from labkit.checks import Verdict

N_VAL, N_HELDOUT = 200, 400
REPORT_ATOL = 1e-4
MIN_GAIN = 0.1


@lru_cache(maxsize=1)
def tiny_lm():
    spec = importlib.util.spec_from_file_location("lab26_tiny_lm_checks", Path(__file__).parent / "data" / "tiny_lm.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@contextmanager
def one_thread():
    """Tiny forward passes: extra threads only contend with the sandboxes running beside the grader."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def measured_loss(weights: dict, sequences: list[list[int]]) -> float:
    """Loss per token of the weights on the sequences (one padded batch)."""
    import torch

    lm = tiny_lm()
    model = lm.TinyCausalLM(len(lm.vocabulary()), **lm.MODEL_CONFIG)
    model.load_state_dict({k: torch.from_numpy(np.array(v, dtype=np.float32)) for k, v in weights.items()})
    model.eval()
    width = max(map(len, sequences))
    ids = torch.full((len(sequences), width), lm.PAD, dtype=torch.long)
    for row, seq in enumerate(sequences):
        ids[row, :len(seq)] = torch.tensor(seq)
    labels = ids[:, 1:].masked_fill(ids[:, 1:] == lm.PAD, -100)
    with torch.no_grad(), one_thread():
        logits = model(ids[:, :-1], ids[:, :-1] != lm.PAD)
        return float(torch.nn.functional.cross_entropy(logits.flatten(0, 1), labels.flatten(), ignore_index=-100))


def _describe(config: dict) -> str:
    return ", ".join(f"{k}={v:g}" for k, v in config.items())


def _key(config: dict) -> tuple:
    return tuple(sorted((k, float(v)) for k, v in config.items()))


# ------------------------------------------------------------------ schedule and parameter groups

def check_schedule(got, expected, ctx) -> Verdict:
    for index, (have, want) in enumerate(zip(got, expected)):
        have, want = np.asarray(have, dtype=np.float64), np.asarray(want, dtype=np.float64)
        if np.allclose(have, want, rtol=1e-6, atol=1e-12):
            continue
        step = int(np.argmax(~np.isclose(have, want, rtol=1e-6, atol=1e-12)))
        peak = want.max()
        if step == 0 and have[0] == 0:
            why = "the first warmup step must already move: lr = peak_lr * (step + 1) / warmup_steps"
        elif abs(have[-1]) < 1e-12 < want[-1]:
            why = "the cosine decays to 0; it must end at min_lr_ratio * peak_lr (the floor)"
        elif np.isclose(have.max(), peak) and not np.isclose(have[-1], want[-1]):
            why = "the cosine must reach the floor exactly at the last step, total_steps - 1"
        else:
            why = "warmup: peak_lr * (step + 1) / warmup_steps; then floor + (peak_lr - floor) * (1 + cos(pi * progress)) / 2"
        return Verdict(False, f"schedule {index}: lr at step {step} is {have[step]:.6g} where {want[step]:.6g} was "
                              f"expected: {why}", expected=np.array2string(want[:8], precision=6) + " ...",
                       got=np.array2string(have[:8], precision=6) + " ...")
    return Verdict(True)


def check_groups(got, expected, ctx) -> Verdict:
    decay = expected["weight_decay"]
    listed = [name for group in got["groups"] for name in group["names"]]
    if sorted(listed) != expected["all"]:
        missing = sorted(set(expected["all"]) - set(listed))
        twice = sorted({n for n in listed if listed.count(n) > 1})
        return Verdict(False, "every parameter must be in exactly one group"
                              + (f"; missing: {missing[:3]}" if missing else "") + (f"; twice: {twice[:3]}" if twice else ""))
    want_decay = {n for g in expected["groups"] if g["weight_decay"] > 0 for n in g["names"]}
    have_decay = {n for g in got["groups"] if math.isclose(g["weight_decay"], decay) for n in g["names"]}
    have_zero = {n for g in got["groups"] if g["weight_decay"] == 0 for n in g["names"]}
    if have_decay | have_zero != set(expected["all"]):
        return Verdict(False, f"each group's weight_decay must be either {decay} (the argument) or 0.0")
    if have_decay != want_decay:
        wrong = sorted(have_decay - want_decay) or sorted(want_decay - have_decay)
        return Verdict(False, f"{wrong[0]} is in the wrong group: decay the matrices (parameters with 2 or more "
                              "dimensions: embeddings and linear weights) and not the biases or LayerNorm parameters")
    return Verdict(True)


# ------------------------------------------------------------------ the sweep

def _validation(seed: int) -> list[list[int]]:
    return tiny_lm().token_ids(seed, "validation", N_VAL)


def check_table(got, expected, ctx) -> Verdict:
    want = {_key(r["config"]) for r in expected["rows"]}
    have = [_key(r["config"]) for r in got["rows"]]
    if len(set(have)) != len(have):
        return Verdict(False, "the table holds the same configuration twice")
    if set(have) != want:
        extra = [dict(k) for k in set(have) - want]
        missing = [dict(k) for k in want - set(have)]
        return Verdict(False, "the sweep must run the baseline and, one factor at a time, each grid value that differs "
                              "from the baseline's, with every other hyper-parameter at its baseline value"
                              + (f"; missing: {_describe(missing[0])}" if missing else "")
                              + (f"; not asked for: {_describe(extra[0])}" if extra else ""),
                       expected=f"{len(want)} configurations", got=f"{len(have)} configurations")
    validation = _validation(ctx.seed)
    for row in got["rows"]:
        measured = measured_loss(row["weights"], validation)
        if not abs(row["val_loss"] - measured) <= REPORT_ATOL:
            return Verdict(False, f"the table reports val_loss {row['val_loss']:.4f} for {_describe(row['config'])}, but "
                                  f"the weights of that run give {measured:.4f} on the validation sentences: report the "
                                  "validation loss of the trained model (loss per token over val_seqs, eval mode), "
                                  "measured after the last step", expected=f"{measured:.4f}", got=f"{row['val_loss']:.4f}")
    return Verdict(True)


def check_controlled(got, expected, ctx) -> Verdict:
    runs = got["runs"]
    if len(runs) != len(got["rows"]):
        return Verdict(False, f"make_model was called {len(runs)} times for {len(got['rows'])} rows: every row is its "
                              "own run, from a fresh model")
    for run, row in zip(runs, got["rows"]):
        if run["seed"] != ctx.seed:
            return Verdict(False, f"the run of {_describe(row['config'])} started from make_model({run['seed']}) instead "
                                  f"of the sweep's seed: every run must start from the same initial weights and see "
                                  "the same batches, or the comparison mixes the hyper-parameter with luck")
        if run["steps"] != got["steps"]:
            return Verdict(False, f"the run of {_describe(row['config'])} took {run['steps']} optimizer steps; the budget "
                                  f"is exactly {got['steps']} for every configuration")
    return Verdict(True)


def check_rerun(got, expected, ctx) -> Verdict:
    chosen = got["rows"][got["chosen"]]
    again = got["rerun_weights"]
    worst = max(float(np.abs(np.asarray(again[k]) - np.asarray(chosen["weights"][k])).max()) for k in again)
    if got["rerun_runs"] and got["rerun_runs"][0]["steps"] != got["steps"]:
        return Verdict(False, f"run_experiment took {got['rerun_runs'][0]['steps']} optimizer steps, not {got['steps']}")
    if worst > 1e-5:
        return Verdict(False, f"running the chosen configuration ({_describe(chosen['config'])}) again with the same seed "
                              f"gives other weights (difference {worst:.3g}): a result must be reproducible from its "
                              "configuration and seed; draw batches only from a generator seeded with `seed`")
    return Verdict(True)


def check_choice(got, expected, ctx) -> Verdict:
    validation = _validation(ctx.seed)
    measured = [measured_loss(r["weights"], validation) for r in got["rows"]]
    chosen = got["chosen"]
    best = int(np.argmin(measured))
    if measured[chosen] > measured[best] + REPORT_ATOL:
        return Verdict(False, f"choose picked {_describe(got['rows'][chosen]['config'])} (validation loss "
                              f"{measured[chosen]:.4f}) but {_describe(got['rows'][best]['config'])} has "
                              f"{measured[best]:.4f}: pick the lowest validation loss")
    baseline_key = _key(got["baseline"])
    baseline = next((r for r in got["rows"] if _key(r["config"]) == baseline_key), None)
    if baseline is None:
        return Verdict(False, "the table has no row for the baseline configuration")
    salt = (ctx.private_dir / "heldout_salt.txt").read_text().strip()
    heldout = tiny_lm().token_ids(ctx.seed, f"heldout-{salt}", N_HELDOUT)
    ours, theirs = measured_loss(got["rows"][chosen]["weights"], heldout), measured_loss(baseline["weights"], heldout)
    message = (f"held-out loss of the chosen configuration {ours:.3f} vs the baseline's {theirs:.3f} nats per token "
               f"(must be at least {MIN_GAIN} lower)")
    if not ours <= theirs - MIN_GAIN:
        return Verdict(False, message + ". The learning rate matters most under a small step budget",
                       expected=f"<= {theirs - MIN_GAIN:.3f}", got=f"{ours:.3f}")
    return Verdict(True, message)
