"""Lab 36 checks (outside the sandbox).

The rubric, the pairs and the two losses are compared with the reference outputs. The reward model is
never trusted to grade itself: the grader rebuilds the lab's fixed RewardModel, loads the weights the
student's training loop produced, and ranks held-out preference pairs generated here from the seed;
their chosen/rejected labels (from the reference rubric) never enter the sandbox."""
from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import numpy as np

from labkit.checks import Verdict, allclose, describe

F64 = dict(rtol=1e-9, atol=1e-12)
MIN_ACCURACY = 0.75          # the reference ranks about 0.86-0.93 of the held-out pairs; untrained about 0.45
HELDOUT_PROMPTS = 100


def _module(name: str, path: Path):
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


# ------------------------------------------------------------------ the dataset

def check_rubric(got, expected, ctx) -> Verdict:
    if not isinstance(got, list) or len(got) != len(expected):
        return Verdict(False, f"expected {len(expected)} scores, got {describe(got, 80)}")
    for index, (have, want) in enumerate(zip(got, expected)):
        if not math.isclose(have, want, rel_tol=1e-9, abs_tol=1e-9):
            shown = ctx.shown.get("rubric_inputs")
            item = f" for {shown[index]}" if shown else ""
            return Verdict(False, f"response {index}{item}: rubric score {have:g} where {want:g} was expected "
                                  "(+3 correct, -2 a wrong answer word, -2 a refusal ('cannot'), -4 a rude word, "
                                  "-0.25 per word beyond 8)", expected=describe(expected), got=describe(got))
    return Verdict(True)


def check_pairs(got, expected, ctx) -> Verdict:
    if not isinstance(got, list):
        return Verdict(False, "build_pairs returned nothing usable")
    want = [tuple(p) for p in expected]
    have = [tuple(p) for p in got]
    if have == want:
        return Verdict(True)
    swapped = [p for p in have if (p[0], p[2], p[1]) in want]
    if swapped:
        return Verdict(False, f"{len(swapped)} pairs have chosen and rejected swapped, e.g. chosen {swapped[0][1]!r} "
                              f"over {swapped[0][2]!r}: the higher rubric score is the chosen answer")
    if any(p[1] == p[2] for p in have):
        return Verdict(False, "a pair compares an answer with itself: drop duplicate candidates first")
    extra = [p for p in have if p not in want]
    missing = [p for p in want if p not in have]
    if extra:
        return Verdict(False, f"{len(extra)} unexpected pairs, e.g. {extra[0][1]!r} over {extra[0][2]!r}: pairs whose "
                              "scores differ by less than min_margin are near-ties and must be left out; "
                              "duplicates must be counted once",
                       expected=f"{len(want)} pairs", got=f"{len(have)} pairs")
    if missing:
        return Verdict(False, f"{len(missing)} pairs are missing, e.g. {missing[0][1]!r} over {missing[0][2]!r}: "
                              "keep every pair of distinct candidates whose scores differ by at least min_margin",
                       expected=f"{len(want)} pairs", got=f"{len(have)} pairs")
    return Verdict(False, "the pairs are right but in another order: go through the prompts in order, and for "
                          "each the candidate pairs (i, j) with i < j in the order of first appearance")


# ------------------------------------------------------------------ losses

def check_bradley_terry(got, expected, ctx) -> Verdict:
    if not isinstance(got, dict):
        return Verdict(False, "bradley_terry_loss returned nothing usable")
    if not math.isfinite(got["large_margin_loss"]):
        return Verdict(False, "the loss is inf or NaN for margins of +-800: sigmoid(-800) underflows to 0 and "
                              "log(0) is -inf. Use F.logsigmoid or F.softplus(r_rejected - r_chosen)")
    for key, what in (("loss", "the loss"), ("large_margin_loss", "the loss for margins 800, -800, 50")):
        verdict = allclose(got[key], expected[key], **F64)
        if not verdict.passed:
            verdict.feedback = (f"{what}: {verdict.feedback}. Bradley-Terry: P(chosen > rejected) = "
                                "sigmoid(r_chosen - r_rejected); the loss is the mean of -log of it")
            return verdict
    return Verdict(True)


def check_dpo(got, expected, ctx) -> Verdict:
    if not isinstance(got, dict) or "logps" not in got:
        return Verdict(False, "sequence_logprobs / dpo_loss returned nothing usable")
    for key, want in expected["logps"].items():
        verdict = allclose(got["logps"].get(key), want, **F64)
        if not verdict.passed:
            verdict.feedback = (f"sequence_logprobs ({key.replace('_', ' ')}): {verdict.feedback}. Sum log_softmax "
                                "at the label over the positions whose label is not -100 (the response), per sequence")
            return verdict
    if "far_loss" in expected and not math.isfinite(got.get("far_loss", float("nan"))):
        return Verdict(False, "dpo_loss is inf or NaN when the log-ratios are hundreds of nats apart: use "
                              "F.logsigmoid / F.softplus, not log(sigmoid(...))")
    keys = ["chosen_rewards", "rejected_rewards", "loss"] + (["far_loss"] if "far_loss" in expected else [])
    for key in keys:
        verdict = allclose(got.get(key), expected[key], **F64)
        if not verdict.passed:
            verdict.feedback = (f"dpo_loss {key}: {verdict.feedback}. rewards = beta * (policy - reference) log-probs; "
                                "loss = mean of -log sigmoid(chosen_rewards - rejected_rewards)")
            return verdict
    return Verdict(True)


# ------------------------------------------------------------------ the reward model (metric outside)

def _heldout_pairs(ctx):
    data = _module("lab36_prefdata", ctx.lab_dir / "data" / "prefdata.py")
    reference = _module("lab36_reference", ctx.lab_dir / "solution.py")
    records = [{"prompt": r["prompt"], "answer": data.RELATIONS[r["relation"]][0][r["subject"]],
                "answer_words": sorted(data.answer_words(r["relation"])), "candidates": r["candidates"]}
               for r in data.prompt_records(ctx.seed, HELDOUT_PROMPTS, "heldout")]
    pairs = reference.build_pairs(records, min_margin=1.0)
    return data, (data.encode([p["prompt"] for p in pairs], data.PROMPT_LEN),
                  data.encode([p["chosen"] for p in pairs], data.RESPONSE_LEN),
                  data.encode([p["rejected"] for p in pairs], data.RESPONSE_LEN))


def _accuracy(weights, ctx) -> tuple[float | None, str]:
    import torch

    data, (prompts, chosen, rejected) = _heldout_pairs(ctx)
    model = data.RewardModel()
    state = model.state_dict()
    if not isinstance(weights, dict) or set(weights) != set(state):
        return None, "the trained reward model's weights do not match the lab's RewardModel"
    for name, value in weights.items():
        if tuple(np.shape(value)) != tuple(state[name].shape) or not np.isfinite(np.asarray(value)).all():
            return None, f"reward model weight {name} has the wrong shape or NaN / inf values"
    model.load_state_dict({k: torch.as_tensor(np.asarray(v)) for k, v in weights.items()})
    model.eval()
    with torch.no_grad():
        return float((model(prompts, chosen) > model(prompts, rejected)).float().mean()), ""


def check_reward_model(got, expected, ctx) -> Verdict:
    if not isinstance(got, dict) or "weights" not in got:
        return Verdict(False, "no trained reward model")
    accuracy, problem = _accuracy(got["weights"], ctx)
    if accuracy is None:
        return Verdict(False, problem)
    reference, _ = _accuracy(expected["weights"], ctx)
    losses = got.get("losses") or [float("nan")]
    message = (f"the grader's held-out pairs ranked correctly by your reward model: {accuracy:.3f} (needed "
               f">= {MIN_ACCURACY}; reference {reference:.3f}; untrained about 0.45)")
    if accuracy < MIN_ACCURACY:
        hint = (" Your training loss did not fall" if np.mean(losses[-10:]) > 0.9 * np.mean(losses[:10]) else
                " Check that the pairs put the better answer as chosen")
        return Verdict(False, f"{message}.{hint}: loss = bradley_terry_loss(model(p, chosen), model(p, rejected)).",
                       expected=f">= {MIN_ACCURACY}", got=f"{accuracy:.3f}")
    return Verdict(True, message)
