"""Lab 34 checks (outside the sandbox).

Deterministic figures (parameter counts, optimizer-state bytes, checkpoint bytes) must equal the
harness's recount exactly, and the reference's. Time per step cannot be compared with a constant on a
shared machine, so it is checked against the grader's clocks: when the student's loop called the
harness's loss function (its first call is slow on purpose, as a real first step is), when it called
synchronize(), and a re-measurement taken right after. Each method's held-out loss is computed here
from the returned weights (full fine-tuning: every weight; LoRA: the shipped base plus (alpha / r) B A,
so nothing but the adapter counts) on house-style sentences whose adjective/animal pairs were never
trained on."""
from __future__ import annotations

import importlib.util
import math
import sys
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import numpy as np

from labkit.checks import Verdict, describe

LAB = Path(__file__).resolve().parent
TIMING_RTOL = 0.15            # the student's timer and the loss-call clock see the same steps
TIMING_SLACK_S = 0.0005
REMEASURE_FACTOR = 4.0        # a step time within 4x of the grader's own timing right after
QUALITY_MARGIN = 0.05         # nats behind the reference a method may be...
QUALITY_SHARE = 0.2           # ...or this share of the reference's gain over the base model, if larger
FIRST_LOSSES = {"cpu": dict(count=3, rtol=1e-4), "gpu": dict(count=1, rtol=3e-2)}   # gpu: bf16 autocast
COUNT_KEYS = ("trainable_params", "total_params", "optimizer_state_bytes", "checkpoint_bytes")


@lru_cache(maxsize=1)
def tinylm():
    spec = importlib.util.spec_from_file_location("lab34_tinylm", LAB / "data" / "tinylm.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@contextmanager
def one_thread():
    """Small forward passes: extra threads would only contend with the sandboxes running beside the grader."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


# ------------------------------------------------------------------ counts

def check_counts(got, expected, ctx) -> Verdict:
    if not isinstance(got, dict):
        return Verdict(False, "count_parameters / add_lora returned nothing usable")
    if got["full"] != expected["full"]:
        return Verdict(False, f"count_parameters on the base model gave {got['full']} where {expected['full']} was "
                              "expected: sum p.numel() over model.parameters() (each shared tensor once); every "
                              "parameter of the base model is trainable", describe(expected["full"]),
                       describe(got["full"]))
    want = expected["lora"]
    if got["actual_trainable"] != want["trainable"]:
        extra = got["actual_trainable"] - want["trainable"]
        why = (f"{extra} parameters too many have requires_grad=True: freeze the whole model (embeddings, "
               "LayerNorms, biases) before wrapping" if extra > 0 else
               "fewer parameters than expected are trainable: wrap every nn.Linear whose name ends in a target, "
               "with lora_A (r, in_features) and lora_B (out_features, r) trainable")
        return Verdict(False, f"after add_lora(model, {got['targets']}, r={got['r']}), {got['actual_trainable']} "
                              f"parameters are trainable where {want['trainable']} were expected: {why}",
                       describe(want["trainable"]), describe(got["actual_trainable"]))
    if got["lora"] != want:
        return Verdict(False, f"count_parameters after add_lora gave {got['lora']} but the model has "
                              f"{got['actual_trainable']} parameters with requires_grad and {got['actual_total']} in "
                              "all: count p.numel() for p in model.parameters() (trainable: p.requires_grad)",
                       describe(want), describe(got["lora"]))
    if got["trainable_names"] != got["requires_grad_names"]:
        missing = sorted(set(got["requires_grad_names"]) - set(got["trainable_names"]))
        other = sorted(set(got["trainable_names"]) - set(got["requires_grad_names"]))
        return Verdict(False, "trainable_parameters must list exactly the parameters with requires_grad=True: "
                              + (f"it misses {missing[:3]}" if missing else f"it includes frozen {other[:3]}"))
    if not got["start_gap"] <= 1e-5:
        return Verdict(False, f"right after add_lora the logits differ from the base model's by {got['start_gap']:.3g}: "
                              "lora_B must start at zeros so that B A = 0 and fine-tuning starts from the "
                              "pre-trained model")
    return Verdict(True)


# ------------------------------------------------------------------ Adam state

def check_adam_state(got, expected, ctx) -> Verdict:
    if not isinstance(got, dict):
        return Verdict(False, "adam_state_bytes returned nothing usable")
    predicted, measured = got["predicted"], got["measured"]
    if predicted == measured:
        return Verdict(True)
    numels, sizes, n = got["numels"], got["element_sizes"], len(got["numels"])
    moments = 3 if got["amsgrad"] else 2
    data_bytes = sum(k * s for k, s in zip(numels, sizes))
    guesses = {
        moments * data_bytes: "the step counter is missing: Adam keeps one float32 `step` tensor (4 bytes) per "
                              "parameter tensor",
        2 * data_bytes + 4 * n: "with amsgrad=True AdamW keeps a third buffer, max_exp_avg_sq",
        3 * data_bytes + 4 * n: "amsgrad=False keeps only exp_avg and exp_avg_sq (two buffers)",
        moments * 4 * sum(numels) + 4 * n: "the moments take each parameter's dtype: use p.element_size(), not 4",
        moments * sum(numels) + 4 * n: "count bytes, not elements: numel * element_size",
    }
    why = guesses.get(predicted, "per parameter: exp_avg + exp_avg_sq (+ max_exp_avg_sq with amsgrad), each "
                                 "numel * element_size bytes, plus a 4-byte float32 step counter")
    return Verdict(False, f"adam_state_bytes predicted {predicted} bytes; AdamW really holds {measured} "
                          f"(per parameter: {got['per_param']}). {why}", describe(measured), describe(predicted))


# ------------------------------------------------------------------ the comparison

def _runs(got, expected):
    runs = got.get("runs") if isinstance(got, dict) else None
    if not isinstance(runs, dict) or set(runs) != set(expected["runs"]):
        return None
    return runs


def check_report(got, expected, ctx) -> Verdict:
    runs = _runs(got, expected)
    if runs is None:
        return Verdict(False, "the comparison returned no report for every method")
    for name, run in runs.items():
        report, counted, want = run["report"], run["counted"], expected["runs"][name]["counted"]
        for key in COUNT_KEYS:
            if report[key] != counted[key]:
                return Verdict(False, f"{name}: the report says {key} = {report[key]} but the grader counts "
                                      f"{counted[key]} on your model and optimizer. {_count_hint(key)}",
                               describe(counted[key]), describe(report[key]))
        if counted["optimizer_params"] != counted["trainable_params"]:
            return Verdict(False, f"{name}: the optimizer got {counted['optimizer_params']} parameters but "
                                  f"{counted['trainable_params']} are trainable: trainable_parameters must return "
                                  "every parameter with requires_grad=True")
        for key in ("trainable_params", "total_params", "optimizer_state_bytes"):
            if counted[key] != want[key]:
                return Verdict(False, f"{name}: the model you trained has {key} = {counted[key]} where "
                                      f"{want[key]} was expected: "
                                      + ("under LoRA only lora_A and lora_B may train; freeze the base model first"
                                         if name != "full" else "full fine-tuning trains every parameter"),
                               describe(want[key]), describe(counted[key]))
        share = counted["trainable_params"] / counted["total_params"]
        if not math.isclose(report["trainable_share"], share, rel_tol=1e-9):
            return Verdict(False, f"{name}: trainable_share is {report['trainable_share']:.6g} where trainable / total = "
                                  f"{share:.6g}", describe(share), describe(report["trainable_share"]))
    return Verdict(True, _summary(runs))


def _count_hint(key: str) -> str:
    return {"trainable_params": "Sum p.numel() over the parameters with requires_grad.",
            "total_params": "Sum p.numel() over model.parameters(), frozen ones too.",
            "optimizer_state_bytes": "Sum value.nbytes over every tensor in optimizer.state (exp_avg, exp_avg_sq "
                                     "and the float32 step counter of each parameter).",
            "checkpoint_bytes": "Sum p.numel() * p.element_size() over the trainable parameters: only they "
                                "change, so only they need saving."}[key]


def _summary(runs) -> str:
    rows = [f"{name}: {r['counted']['trainable_params']} trainable, {r['counted']['optimizer_state_bytes']} B of "
            f"Adam state, {r['report']['seconds_per_step'] * 1000:.2f} ms/step" for name, r in runs.items()]
    return "; ".join(rows)


def check_training(got, expected, ctx) -> Verdict:
    runs = _runs(got, expected)
    if runs is None:
        return Verdict(False, "the comparison returned no training run for every method")
    config = expected["config"]
    steps, batch = config["steps"], config["batch_size"]
    first = FIRST_LOSSES.get(expected.get("size"), FIRST_LOSSES["gpu"])
    for name, run in runs.items():
        if len(run["batch_shapes"]) != steps:
            return Verdict(False, f"{name}: loss_fn was called {len(run['batch_shapes'])} times in fine_tune where "
                                  f"steps = {steps} calls (one per optimizer step) were expected")
        wrong = [s for s in run["batch_shapes"] if s[0] != batch]
        if wrong:
            return Verdict(False, f"{name}: a batch of shape {tuple(wrong[0])} reached loss_fn; every step uses "
                                  f"batch_size = {batch} sentences")
        if len(run["losses"]) != steps:
            return Verdict(False, f"{name}: fine_tune returned {len(run['losses'])} losses for {steps} steps")
        have, want = run["losses"][:first["count"]], expected["runs"][name]["losses"][:first["count"]]
        if not np.allclose(have, want, rtol=first["rtol"], atol=1e-6):
            where = ("the first loss already differs: draw each batch as rows = torch.randint(len(data), "
                     "(batch_size,), generator=generator), one draw per step, nothing else from the generator"
                     if not math.isclose(have[0], want[0], rel_tol=first["rtol"]) else
                     "the first loss matches but a later one does not: zero the gradients every step and step the "
                     "optimizer you were given")
            return Verdict(False, f"{name}: losses {np.round(have, 5).tolist()} where {np.round(want, 5).tolist()} "
                                  f"were expected: {where}", describe(want), describe(have))
    return Verdict(True)


def _timing_problem(run, config) -> str | None:
    steps, warmup = config["steps"], config["warmup_steps"]
    reported, calls, syncs = run["report"]["seconds_per_step"], run["calls"], run["syncs"]
    if not (isinstance(reported, float) and math.isfinite(reported) and reported > 0):
        return f"seconds_per_step must be a positive number of seconds, got {reported!r}"
    if len(calls) != steps:
        return f"loss_fn was called {len(calls)} times for {steps} steps"
    after_last = [t for t in syncs if t > calls[-1]]
    if not after_last:
        return ("synchronize() was not called after the last step: call it right before reading the clock at the "
                "end (on a GPU the last kernels are still running when Python gets there)")
    end = after_last[0]
    truth = (end - calls[warmup]) / (steps - warmup)
    with_warmup = (end - calls[0]) / (steps - warmup)
    seen = f"you report {reported * 1000:.3f} ms per step; your timed steps took {truth * 1000:.3f} ms each"
    close_to_truth = abs(reported - truth) <= TIMING_RTOL * truth + TIMING_SLACK_S
    if abs(reported - with_warmup) < abs(reported - truth):      # the slow first step makes them far apart
        return (f"{seen}. The warm-up steps (the first one is slow) are inside your timer: start the clock after "
                f"warmup_steps = {warmup} steps")
    if not any(calls[warmup - 1] < t < calls[warmup] for t in syncs):
        return (f"synchronize() was not called between the warm-up (steps 0..{warmup - 1}) and the first timed step: "
                "call it right before starting the clock, so queued warm-up work is not timed")
    if close_to_truth:
        again = run["remeasured"]
        if not again / REMEASURE_FACTOR - TIMING_SLACK_S <= reported <= again * REMEASURE_FACTOR + TIMING_SLACK_S:
            return f"{seen}, but the grader measured {again * 1000:.3f} ms per step right after you"
        return None
    if math.isclose(reported, truth * (steps - warmup), rel_tol=0.2):
        return f"{seen}. That is the total: divide by the number of timed steps, steps - warmup_steps"
    if math.isclose(reported, truth * 1000, rel_tol=0.2):
        return f"{seen}. Report seconds, not milliseconds"
    return f"{seen}. Time the steps after the warm-up with time.perf_counter() and divide by their number"


def check_step_time(got, expected, ctx) -> Verdict:
    runs = _runs(got, expected)
    if runs is None:
        return Verdict(False, "the comparison returned no timing for every method")
    for name, run in runs.items():
        problem = _timing_problem(run, expected["config"])
        if problem:
            return Verdict(False, f"{name}: {problem}")
    return Verdict(True, "; ".join(f"{n}: {r['report']['seconds_per_step'] * 1000:.2f} ms/step" for n, r in runs.items()))


# ------------------------------------------------------------------ quality

@lru_cache(maxsize=2)
def _base_state(base_file: str, architecture: tuple) -> dict:
    from safetensors.torch import load_file

    return load_file(str(LAB / "data" / base_file))


def _model_from(weights: dict, config: dict, rank: int | None):
    """The base model with a method's trained tensors: full fine-tuning replaces every weight; LoRA adds
    (alpha / r) B A to each wrapped layer's weight and ignores everything else it returned."""
    import torch

    lm = tinylm()
    base = _base_state(config["base"], tuple(sorted(lm.architecture(config).items())))
    state = {k: v.clone() for k, v in base.items()}
    if rank is None:
        missing = sorted(set(state) - set(weights))
        if missing:
            raise ValueError(f"full fine-tuning returned no trained value for {missing[:3]}: every parameter must train")
        for key in state:
            state[key] = torch.as_tensor(np.asarray(weights[key], dtype=np.float32))
    else:
        scaling = float(config["alpha"]) / rank
        layers = sorted({k[: -len(".lora_A")] for k in weights if k.endswith(".lora_A")})
        if not layers:
            raise ValueError("no lora_A / lora_B tensors were trained")
        for layer in layers:
            a = torch.as_tensor(np.asarray(weights[f"{layer}.lora_A"], dtype=np.float32))
            b = torch.as_tensor(np.asarray(weights[f"{layer}.lora_B"], dtype=np.float32))
            key = f"{layer}.weight"
            if key not in state:
                raise ValueError(f"{layer} is not a linear layer of the model")
            state[key] = state[key] + scaling * (b @ a)
    model = lm.build_model(config)
    model.load_state_dict(state)
    return model.eval()


def _heldout_loss(model, seed: int) -> float:
    import torch

    lm = tinylm()
    with one_thread(), torch.no_grad():
        return float(lm.lm_loss(model, lm.HouseStyle(seed).heldout_ids()))


def check_quality(got, expected, ctx) -> Verdict:
    runs = _runs(got, expected)
    if runs is None:
        return Verdict(False, "the comparison returned no trained weights for every method")
    config = expected["config"]
    base_loss = _heldout_loss(_base_model(config), ctx.seed)
    rows, failures = [f"base {base_loss:.3f}"], []
    for name, want in expected["runs"].items():
        rank = want["rank"]
        ref = _heldout_loss(_model_from(want["weights"], config, rank), ctx.seed)
        try:
            mine = _heldout_loss(_model_from(runs[name]["weights"], config, rank), ctx.seed)
        except (KeyError, ValueError, RuntimeError) as exc:
            return Verdict(False, f"{name}: the trained weights do not fit the model ({exc})")
        rows.append(f"{name} {mine:.3f} (reference {ref:.3f})")
        allowed = ref + max(QUALITY_MARGIN, QUALITY_SHARE * (base_loss - ref))
        if not (math.isfinite(mine) and mine <= allowed):
            failures.append((name, mine, allowed))
    table = "held-out loss: " + "; ".join(rows)
    if failures:
        name, mine, allowed = failures[0]
        return Verdict(False, f"{table}. {name} reaches {mine:.3f} where at most {allowed:.3f} was expected: "
                              + ("under LoRA only the adapters count here (the base is the shipped one): train "
                                 "lora_A / lora_B, scaled by alpha / r" if name != "full" else
                                 "full fine-tuning must train every weight"), f"<= {allowed:.3f}", f"{mine:.3f}")
    return Verdict(True, table)


def _base_model(config: dict):
    lm = tinylm()
    model = lm.build_model(config)
    model.load_state_dict(_base_state(config["base"], tuple(sorted(lm.architecture(config).items()))))
    return model.eval()
