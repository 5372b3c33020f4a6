"""Lab 15 checks (outside the sandbox): compare the student's attention outputs with the reference and
explain failures in terms of attention (scale, softmax axis, masks), not array indices alone."""
import numpy as np

from labkit.checks import Verdict, allclose, describe

F64_TOL = dict(rtol=1e-9, atol=1e-11)     # float64: only summation-order differences are harmless
F32_TOL = dict(rtol=1e-4, atol=1e-5)      # float32


def _tol(expected):
    return F64_TOL if np.asarray(expected).dtype == np.float64 else F32_TOL


def _dims(name):
    return "(batch, seq_q, d_v)" if name == "output" else "(batch, seq_q, seq_k)"


def _as_pair(got):
    if not isinstance(got, dict) or not all(k in got for k in ("output", "weights")):
        return None
    return got


def _row_sum_problem(weights):
    """A message if some attention row does not sum to 1, else None."""
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim < 1 or w.size == 0:
        return None
    sums = w.sum(axis=-1)
    bad = np.argwhere(~np.isclose(sums, 1.0, rtol=0, atol=1e-4))
    if not len(bad):
        return None
    where = tuple(int(i) for i in bad[0])
    cols = w.sum(axis=-2) if w.ndim >= 2 else None
    hint = ""
    if cols is not None and np.allclose(cols, 1.0, atol=1e-4):
        hint = " The COLUMNS sum to 1 instead: the softmax ran over the query axis; use dim=-1 (keys)."
    return (f"attention weights row {where} sums to {float(sums[where]):.4f}, not 1: every query's weights "
            f"over the keys must be a probability distribution (softmax over the last axis).{hint}")


def _compare_arrays(name, got, expected, tol=None):
    got_arr, exp_arr = np.asarray(got), np.asarray(expected)
    if got_arr.shape != exp_arr.shape:
        return Verdict(False, f"{name} has shape {got_arr.shape} where {exp_arr.shape} {_dims(name)} was expected",
                       describe(expected), describe(got))
    if got_arr.dtype != exp_arr.dtype:
        return Verdict(False, f"{name} has dtype {got_arr.dtype} but the inputs were {exp_arr.dtype}: keep the "
                              "input dtype (do not call .float()/.double() or pass dtype= to softmax)",
                       describe(expected), describe(got))
    verdict = allclose(got_arr, exp_arr, **(tol or _tol(exp_arr)))
    if not verdict.passed:
        verdict.feedback = f"{name}: {verdict.feedback}"
    return verdict


def _diagnose_small(got, shown):
    """For the visible example we know the inputs: recognise the classic mistakes."""
    try:
        q, k, v = (np.asarray(shown[n], dtype=np.float64) for n in ("q", "k", "v"))
        w = np.asarray(got["weights"], dtype=np.float64)
    except (KeyError, TypeError, ValueError):
        return ""
    scores = q @ np.swapaxes(k, -1, -2)

    def softmax(x, axis):
        e = np.exp(x - x.max(axis=axis, keepdims=True))
        return e / e.sum(axis=axis, keepdims=True)

    candidates = {
        "softmax(q k^T) without the 1/sqrt(d_k) scale: divide the scores by sqrt(d_k) = sqrt(q.size(-1))":
            softmax(scores, -1),
        "softmax over the query axis (dim=1 / dim=-2): the softmax must run over the keys, dim=-1":
            softmax(scores / np.sqrt(q.shape[-1]), -2),
        "scores divided by d_k instead of sqrt(d_k)": softmax(scores / q.shape[-1], -1),
    }
    for description, candidate in candidates.items():
        if w.shape == candidate.shape and np.allclose(w, candidate, rtol=1e-6, atol=1e-9):
            return f" Your weights equal {description}."
    return ""


def check_attention(got, expected, ctx):
    """output and weights of scaled_dot_product_attention / SelfAttention against the reference."""
    pair = _as_pair(got)
    if pair is None:
        return Verdict(False, "expected (output, weights) from your function")
    problem = _row_sum_problem(pair["weights"]) if np.asarray(pair["weights"]).shape == \
        np.asarray(expected["weights"]).shape else None
    for name in ("weights", "output"):
        verdict = _compare_arrays(name, pair[name], expected[name])
        if not verdict.passed:
            if problem and name == "weights":
                verdict.feedback = problem + " " + verdict.feedback
            if "q" in ctx.shown:
                verdict.feedback += _diagnose_small(pair, ctx.shown)
            return verdict
    return Verdict(True)


def check_masked_attention(got, expected, ctx):
    """Masked keys get exactly zero weight, rows still sum to 1, and values match the reference."""
    pair = _as_pair(got)
    if pair is None:
        return Verdict(False, "expected (output, weights) from your function")
    allowed = np.asarray(expected["allowed"], dtype=bool)
    w = np.asarray(pair["weights"], dtype=np.float64)
    if w.shape != allowed.shape:
        return Verdict(False, f"weights has shape {w.shape} where {allowed.shape} (batch, seq_q, seq_k) was "
                              "expected", describe(expected["weights"]), describe(pair["weights"]))
    if np.isnan(w).any():
        return Verdict(False, "weights contain NaN: a row where every key is masked, or exp() overflow?")
    leaked = np.argwhere(~allowed & (np.abs(w) > 1e-9))
    if len(leaked):
        b, i, j = (int(x) for x in leaked[0])
        kind = "a future position" if j > i else "a padding position"
        return Verdict(False, f"masked positions get non-zero weight: batch {b}, query {i} gives weight "
                              f"{w[b, i, j]:.4f} to key {j}, {kind}. Fill masked scores with -inf (not 0) "
                              "BEFORE the softmax.", describe(expected["weights"]), describe(pair["weights"]))
    problem = _row_sum_problem(w)
    if problem:
        return Verdict(False, problem + " If the masked entries are 0 but the rest no longer sums to 1, "
                       "the mask was applied after the softmax; mask the scores before it.")
    return check_attention(pair, expected, ctx)


def check_weights_sum(got, expected, ctx):
    """Every attention row is a probability distribution, with and without a mask."""
    sources = [("padding_attention", got), ("sdpa_random", ctx.outputs.get("sdpa_random"))]
    for name, out in sources:
        pair = _as_pair(out)
        if pair is None:
            return Verdict(False, f"no (output, weights) from the {name} case")
        w = np.asarray(pair["weights"], dtype=np.float64)
        if np.isnan(w).any():
            return Verdict(False, f"{name}: weights contain NaN")
        if (w < -1e-12).any():
            return Verdict(False, f"{name}: weights contain negative values; they must come from a softmax")
        problem = _row_sum_problem(w)
        if problem:
            return Verdict(False, f"{name}: {problem}")
    return Verdict(True)


def check_masks(got, expected, ctx):
    """causal_mask, padding_mask and combine_masks against the reference masks."""
    if not isinstance(got, dict):
        return Verdict(False, "the mask functions returned nothing usable")
    t = ctx.shown.get("masks_seq_len")
    lengths = ctx.shown.get("masks_lengths")
    labels = {"causal": f"causal_mask({t})", "padding": f"padding_mask({lengths}, {t})",
              "combined": "combine_masks(causal, padding)", "with_none": "combine_masks(None, padding)"}
    for key, label in labels.items():
        want = np.asarray(expected[key], dtype=bool)
        have = np.asarray(got.get(key))
        if have.shape != want.shape:
            extra = ""
            if key == "padding" and have.shape == (want.shape[0], want.shape[2], 1):
                extra = (" It masks query rows; a padding mask must hide padded KEYS, so the padded "
                         "positions go on the last axis: shape (batch, 1, max_len).")
            elif key == "padding":
                extra = " Expected (batch, 1, max_len) so it broadcasts over the queries."
            return Verdict(False, f"{label} has shape {have.shape} where {want.shape} was expected.{extra}",
                           describe(want), describe(have))
        wrong = np.argwhere(have.astype(bool) != want)
        if len(wrong):
            where = tuple(int(x) for x in wrong[0])
            msg = f"{label} is {bool(have[where])} at {where} where {bool(want[where])} was expected"
            if key == "causal":
                msg += (" (True must mean 'query i may attend to key j', i.e. j <= i: the lower triangle "
                        "including the diagonal)")
            elif key == "padding":
                msg += " (True where key position j < lengths[b])"
            return Verdict(False, msg, describe(want.astype(int)), describe(have.astype(int)))
    return Verdict(True)


def check_stable(got, expected, ctx):
    """Scores of a few hundred in float32: no NaN/inf, rows sum to 1, matches the reference."""
    pair = _as_pair(got)
    if pair is None:
        return Verdict(False, "expected (output, weights) from your function")
    for name in ("weights", "output"):
        arr = np.asarray(pair[name], dtype=np.float64)
        if not np.isfinite(arr).all():
            return Verdict(False, f"{name} contains NaN or inf for large scores (about +-200): exp(200) overflows "
                                  "float32. Subtract each row's max score before exp, or use torch.softmax.")
    problem = _row_sum_problem(pair["weights"])
    if problem:
        return Verdict(False, problem)
    for name in ("weights", "output"):
        verdict = _compare_arrays(name, pair[name], expected[name], tol=dict(rtol=1e-3, atol=1e-5))
        if not verdict.passed:
            return verdict
    return Verdict(True)


def check_dtypes(got, expected, ctx):
    """float64 inputs give float64 results (tight tolerance), float32 inputs give float32 results."""
    if not isinstance(got, dict):
        return Verdict(False, "expected outputs for float64 and float32 inputs")
    for key in ("output64", "weights64", "output32", "weights32"):
        name = key.rstrip("0123456789")
        have, want = np.asarray(got[key]), np.asarray(expected[key])
        if have.dtype != want.dtype:
            return Verdict(False, f"for {want.dtype} inputs your {name} is {have.dtype}: attention must keep the "
                                  "dtype of q, k, v (no .float(), .double() or softmax(dtype=...))")
        verdict = _compare_arrays(name, have, want)
        if not verdict.passed:
            return verdict
    return Verdict(True)
