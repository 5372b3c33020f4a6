"""Lab 43 checks (outside the sandbox).

Device-agnostic training is compared with the reference's CPU run exactly (float32, same ops, same
batches); on a GPU worker the CUDA run must follow the CPU run's losses closely. The timing method is
graded on a simulated asynchronous accelerator whose timeline the harness recorded: when each kernel
was queued and finished and when synchronize() was called, so the true time of the timed steps is known
exactly. The speed-up report must be consistent with its own timings and within a factor of the
harness's re-measurement taken right after (the machine is shared)."""
from __future__ import annotations

import math

import numpy as np

from labkit.checks import Verdict, describe

WEIGHTS = dict(rtol=1e-5, atol=1e-6)
CUDA_LOSSES = dict(rtol=1e-2, atol=1e-2)   # CUDA kernels (and AdamW amplifying tiny differences) vs the CPU
TIMING_RTOL, TIMING_SLACK_S = 0.15, 0.001
REMEASURE_FACTOR = 4.0


def check_training(got, expected, ctx) -> Verdict:
    if not isinstance(got, dict):
        return Verdict(False, "train returned nothing usable")
    mine, want = got["cpu"], expected["cpu"]
    if mine["param_devices"] != ["cpu"]:
        return Verdict(False, f"after train(..., torch.device('cpu')) the parameters are on {mine['param_devices']}: "
                              "move the model to the device you were given")
    for name, value in want["weights"].items():
        if name not in mine["weights"] or not np.allclose(mine["weights"][name], value, **WEIGHTS):
            first_ok = math.isclose(mine["losses"][0], want["losses"][0], rel_tol=1e-5)
            why = ("the first loss differs: draw starts = torch.randint(len(tokens) - seq_len, (batch_size,), "
                   "generator=generator) on the CPU generator, take windows of seq_len + 1 tokens, inputs = "
                   "window[:, :-1], targets = window[:, 1:]" if not first_ok else
                   "the first loss matches but training diverges: AdamW(model.parameters(), lr) created once, "
                   "zero_grad, backward, step every step")
            return Verdict(False, f"{name} differs from the reference after training on the CPU: {why}",
                           describe(np.asarray(want["losses"][:4])), describe(np.asarray(mine["losses"][:4])))
    if "cuda" in expected:
        if "cuda" not in got:
            return Verdict(False, "no CUDA run came back")
        cuda = got["cuda"]
        if cuda["param_devices"] != ["cuda"]:
            return Verdict(False, f"after train(..., torch.device('cuda')) the parameters are on "
                                  f"{cuda['param_devices']}: move the model to the device you were given")
        if not np.allclose(cuda["losses"], mine["losses"], **CUDA_LOSSES):
            return Verdict(False, "the CUDA run's losses do not follow the CPU run's: the same code, seed and "
                                  "batches must give the same training on either device (keep the generator on "
                                  "the CPU and move the sampled indices to the device)",
                           describe(np.asarray(mine["losses"])), describe(np.asarray(cuda["losses"])))
    return Verdict(True)


def _timing_problem(got) -> str | None:
    reported, warmup, timed = got["reported"], got["warmup_steps"], got["timed_steps"]
    launches, syncs = got["launches"], got["syncs"]
    if not (math.isfinite(reported) and reported > 0):
        return f"benchmark must return a positive number of seconds, got {reported!r}"
    if len(launches) != warmup + timed:
        return (f"step_fn was called {len(launches)} times; with warmup_steps={warmup} and timed_steps={timed} it "
                f"must be called {warmup + timed} times")
    synced_after = [r for t, r in zip(syncs, got["returns"]) if t > launches[-1]]
    if not synced_after:
        return (f"you report {reported * 1000:.2f} ms per step, but you read the clock while the kernels were still "
                "queued: step_fn only launches work, so call synchronize() after the last timed step, before reading "
                "time.perf_counter()")
    if not any(launches[warmup - 1] < t < launches[warmup] for t in syncs):
        return (f"you report {reported * 1000:.2f} ms per step, but the warm-up's kernels were still running when "
                "your clock started: call synchronize() after the warm-up steps, right before starting the clock")
    truth = (synced_after[0] - launches[warmup]) / timed     # first timed launch -> the device done with the last
    seen = f"you report {reported * 1000:.2f} ms per step; the timed steps took {truth * 1000:.2f} ms each"
    if abs(reported - truth) <= TIMING_RTOL * truth + TIMING_SLACK_S:
        return None
    if math.isclose(reported, (synced_after[0] - launches[0]) / timed, rel_tol=0.15):
        return f"{seen}. The warm-up steps are inside your timer: start the clock after them"
    if math.isclose(reported, truth * timed / (warmup + timed), rel_tol=0.1):
        return f"{seen}. Divide by timed_steps, not by all the steps"
    if math.isclose(reported, truth * timed, rel_tol=0.15):
        return f"{seen}. That is the total for the timed steps: divide by timed_steps"
    return (f"{seen}. Run warmup_steps untimed, then synchronize(), start time.perf_counter(), run timed_steps, "
            "synchronize(), read the clock, divide by timed_steps")


def check_timing(got, expected, ctx) -> Verdict:
    if not isinstance(got, dict):
        return Verdict(False, "benchmark returned nothing usable")
    problem = _timing_problem(got)
    return Verdict(problem is None, problem or "")


def check_synchronizer(got, expected, ctx) -> Verdict:
    if not isinstance(got, dict) or not got["callable"]:
        return Verdict(False, "synchronizer(device) must return a function that takes no argument")
    if got["cpu_calls"]:
        return Verdict(False, "synchronizer(torch.device('cpu'))() called torch.cuda.synchronize: on a machine "
                              "without CUDA that raises. A CPU runs operations synchronously: return a function "
                              "that does nothing")
    if got["cuda_calls"] != 1:
        return Verdict(False, f"synchronizer(torch.device('cuda'))() called torch.cuda.synchronize "
                              f"{got['cuda_calls']} times where once was expected: CUDA kernels run asynchronously, "
                              "so the clock may only be read after torch.cuda.synchronize(device)")
    return Verdict(True)


def check_report(got, expected, ctx) -> Verdict:
    if not isinstance(got, dict):
        return Verdict(False, "the comparison returned nothing usable")
    names = [c["name"] for c in expected["configurations"]]
    if [c["name"] for c in got["configurations"]] != names:
        return Verdict(False, f"configurations {got['configurations']} where {names} were expected")
    expected_calls = got["warmup_steps"] + got["timed_steps"]
    baseline = got["seconds"][names[0]]
    rows = []
    for name in names:
        seconds, row = got["seconds"][name], got["report"][name]
        if got["calls"][name] != expected_calls:
            return Verdict(False, f"{name}: benchmark called the step {got['calls'][name]} times where "
                                  f"{expected_calls} (warm-up + timed) were expected")
        again = got["remeasured"][name]
        if not (seconds > 0 and again / REMEASURE_FACTOR - TIMING_SLACK_S <= seconds
                <= again * REMEASURE_FACTOR + TIMING_SLACK_S):
            return Verdict(False, f"{name}: benchmark measured {seconds * 1000:.2f} ms per step; the grader measured "
                                  f"{again * 1000:.2f} ms right after. Time the steps, synchronised, in seconds")
        for key, want in (("seconds_per_step", seconds), ("tokens_per_second", got["tokens_per_step"] / seconds),
                          ("speedup", baseline / seconds)):
            if not math.isclose(row[key], want, rel_tol=1e-6):
                formula = {"seconds_per_step": "the benchmarked seconds per step",
                           "tokens_per_second": f"tokens_per_step ({got['tokens_per_step']}) / seconds_per_step",
                           "speedup": f"baseline seconds ({names[0]}) / this configuration's seconds"}[key]
                return Verdict(False, f"{name}: {key} is {row[key]:.6g} where {want:.6g} was expected ({formula})",
                               describe(want), describe(row[key]))
        rows.append(f"{name}: {seconds * 1000:.2f} ms/step, {row['tokens_per_second']:.0f} tokens/s, "
                    f"x{row['speedup']:.2f}")
    return Verdict(True, "; ".join(rows))
