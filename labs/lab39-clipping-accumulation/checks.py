"""Lab 39 checks (outside the sandbox): the student's norms, clipped gradients, accumulated gradients and
training steps against the reference run's torch.nn.utils.clip_grad_norm_ and single-large-batch backward.
Tolerances follow the dtype: float64 leaves room only for summation order, float32 for its rounding."""
import math

import numpy as np

from labkit.checks import Verdict, describe

TOLERANCES = {"float64": (1e-9, 1e-11), "float32": (1e-4, 1e-5)}   # rtol, atol relative to the largest value


def _tol(dtype):
    return TOLERANCES["float32" if "float32" in str(dtype) else "float64"]


def _close(have, want, dtype):
    have, want = np.asarray(have, dtype=np.float64), np.asarray(want, dtype=np.float64)
    if have.shape != want.shape:
        return False, f"shape {have.shape} where {want.shape} was expected"
    rtol, atol = _tol(dtype)
    atol *= max(float(np.abs(want).max()) if want.size else 0.0, 1e-30)
    close = np.isclose(have, want, rtol=rtol, atol=atol)
    if close.all():
        return True, ""
    index = np.unravel_index(int(np.argmax(np.abs(have - want) * ~close)), want.shape) if want.ndim else ()
    where = f" at index {tuple(int(i) for i in index)}" if want.ndim else ""
    return False, (f"{100 * (~close).mean():.0f}% of values differ; e.g.{where} {float(have[index]):.8g} where "
                   f"{float(want[index]):.8g} was expected (rtol {rtol:g})")


def _number_close(have, want, dtype):
    rtol, _ = _tol(dtype)
    return math.isclose(float(have), float(want), rel_tol=rtol, abs_tol=1e-300)


# ----------------------------------------------------------------- clipping

def _clip_verdict(got, expected, label):
    dtype = expected["dtype"]
    mine, ref = got["yours"], expected["reference"]
    if not _number_close(mine["norm"], ref["norm"], dtype):
        return Verdict(False, f"{label}: returned norm {mine['norm']:.10g} where {ref['norm']:.10g} was expected "
                              "(the norm of ALL gradients together, measured before clipping)",
                       describe(ref["norm"]), describe(mine["norm"]))
    for i, (have, want) in enumerate(zip(mine["grads"], ref["grads"])):
        if want is None or have is None:
            if (want is None) != (have is None):
                return Verdict(False, f"{label}: gradient {i} should stay None (a frozen parameter)")
            continue
        ok, why = _close(have, want, dtype)
        if not ok:
            coef = min(1.0, expected["max_norm"] / (ref["norm"] + 1e-6))
            return Verdict(False, f"{label}: clipped gradient {i}: {why}. Every gradient is multiplied by the same "
                                  f"factor min(1, max_norm / (total_norm + 1e-6)) = {coef:.6g}",
                           describe(np.asarray(want)), describe(np.asarray(have)))
    return Verdict(True)


def check_clip(got, expected, ctx):
    if "reference" in expected:
        return _clip_verdict(got, expected, f"clip_grad_norm_(max_norm={expected['max_norm']}, "
                                            f"norm_type={expected['norm_type']})")
    for key, run in expected.items():
        verdict = _clip_verdict(got[key], run, f"[{key}: {run['dtype']}, max_norm {run['max_norm']}] clip_grad_norm_")
        if not verdict.passed:
            return verdict
    return Verdict(True)


def check_global_norm(got, expected, ctx):
    for norm_type, want in expected["reference"].items():
        have = got["yours"].get(norm_type)
        if have is None or not math.isclose(have, want, rel_tol=1e-9):
            return Verdict(False, f"global_grad_norm(norm_type={norm_type}) returned {have} where {want} was expected")
    return Verdict(True)


# ----------------------------------------------------------------- accumulation

def check_accumulation(got, expected, ctx):
    dtype, ref, mine = expected["dtype"], expected["reference"], got["yours"]
    sizes, tokens = expected["micro_batch_sizes"], expected["tokens_per_micro_batch"]
    setting = (f"micro-batches of {sizes} sequences holding {tokens} counted tokens, weighting "
               f"'{expected['weighting']}', {dtype}")
    for name, want in ref["grads"].items():
        have = mine["grads"].get(name)
        if have is None:
            return Verdict(False, f"no gradient for parameter {name}")
        ok, why = _close(have, want, dtype)
        if not ok:
            ratio = float(np.sum(np.asarray(have) * np.asarray(want)) / max(np.sum(np.asarray(want) ** 2), 1e-300))
            hint = ""
            if abs(ratio - len(sizes)) < 0.05 * len(sizes):
                hint = (f" Your gradient is about {len(sizes)}x the large batch's: divide each micro-batch's "
                        "summed loss by the count over the WHOLE batch.")
            elif abs(ratio - 1) > 0.05:
                hint = f" Your gradient is about {ratio:.3f}x the large batch's."
            return Verdict(False, f"{setting}: gradient of {name}: {why}.{hint}",
                           describe(np.asarray(want)), describe(np.asarray(have)))
    if not _number_close(mine["loss"], ref["loss"], dtype):
        return Verdict(False, f"{setting}: returned loss {mine['loss']:.10g} where the large batch's loss "
                              f"{ref['loss']:.10g} was expected", describe(ref["loss"]), describe(mine["loss"]))
    return Verdict(True)


def check_train_step(got, expected, ctx):
    mine, ref = got["yours"], expected["reference"]
    for step, ((loss, norm), (ref_loss, ref_norm)) in enumerate(zip(mine["results"], ref["results"]), start=1):
        if not _number_close(loss, ref_loss, "float64"):
            return Verdict(False, f"step {step}: train_step returned loss {loss:.10g} where {ref_loss:.10g} "
                                  "was expected")
        if not _number_close(norm, ref_norm, "float64"):
            return Verdict(False, f"step {step}: train_step returned grad_norm {norm:.10g} where {ref_norm:.10g} "
                                  "(the whole batch's norm before clipping) was expected")
        for i, (have, want) in enumerate(zip(mine["stepped_grads"][step - 1], ref["stepped_grads"][step - 1])):
            ok, why = _close(have, want, "float64")
            if not ok:
                return Verdict(False, f"step {step}: the gradient of parameter {i} that optimizer.step() saw "
                                      f"differs: {why}. Clip once, after the last micro-batch, before step().")
    for name, want in ref["final"].items():
        ok, why = _close(mine["final"][name], want, "float64")
        if not ok:
            return Verdict(False, f"after 3 steps, parameter {name}: {why}")
    return Verdict(True)
