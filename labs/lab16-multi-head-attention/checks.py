"""Lab 16 checks (outside the sandbox)."""
import numpy as np

from labkit.checks import Verdict, allclose, describe

TOL = dict(rtol=1e-9, atol=1e-11)      # everything runs in float64


def _compare(label, got, expected, dims, tol=TOL):
    have, want = np.asarray(got), np.asarray(expected)
    if have.shape != want.shape:
        return Verdict(False, f"{label} has shape {have.shape} where {want.shape} {dims} was expected",
                       describe(expected), describe(got))
    verdict = allclose(have, want, **tol)
    if not verdict.passed:
        verdict.feedback = f"{label}: {verdict.feedback}"
    return verdict


def check_split_merge(got, expected, ctx):
    if not isinstance(got, dict):
        return Verdict(False, "expected split_heads and merge_heads results")
    for key, label, dims in (("split", "split_heads(x, n_heads)", "(batch, n_heads, seq, d_head)"),
                             ("merged", "merge_heads(y)", "(batch, seq, n_heads * d_head)")):
        verdict = _compare(label, got[key], expected[key], dims, tol=dict(rtol=0, atol=0))
        if not verdict.passed:
            if "shape" not in verdict.feedback.split(":")[0] and key == "split":
                verdict.feedback += (" Head h must hold features h*d_head:(h+1)*d_head of EVERY position: "
                                     "x.view(batch, seq, n_heads, d_head).transpose(1, 2). A direct "
                                     "view(batch, n_heads, seq, d_head) mixes positions into heads.")
            elif key == "merged" and "shape" not in verdict.feedback.split(":")[0]:
                verdict.feedback += (" Undo split_heads in reverse order: transpose(1, 2) back to "
                                     "(batch, seq, n_heads, d_head), then reshape to (batch, seq, d_model).")
            return verdict
    return Verdict(True)


def _rows_sum(weights):
    w = np.asarray(weights, dtype=np.float64)
    sums = w.sum(axis=-1)
    bad = np.argwhere(~np.isclose(sums, 1.0, rtol=0, atol=1e-6))
    if len(bad):
        where = tuple(int(i) for i in bad[0])
        return f"attention weights {where} sum to {float(sums[where]):.4f}, not 1 (softmax over the last axis)"
    return None


def check_mha(got, expected, ctx):
    """Output and per-head weights of the student's MultiHeadAttention with the grader's weights."""
    if not isinstance(got, dict):
        return Verdict(False, "expected (output, weights) from MultiHeadAttention.forward")
    w, want_w = np.asarray(got["weights"]), np.asarray(expected["weights"])
    if w.ndim == 3 and want_w.ndim == 4:
        return Verdict(False, f"weights has shape {w.shape}; return the per-head weights of shape {want_w.shape} "
                              "(batch, n_heads, seq_q, seq_k), not their average over heads",
                       describe(want_w), describe(w))
    if w.shape == want_w.shape:
        leaked = np.argwhere((np.abs(want_w) == 0) & (np.abs(w) > 1e-9))
        if len(leaked):
            b, h, i, j = (int(x) for x in leaked[0])
            return Verdict(False, f"masked key {j} gets weight {w[b, h, i, j]:.4f} (batch {b}, head {h}, query {i}). "
                                  "A (batch, seq_q, seq_k) or (batch, 1, seq_k) mask needs a head axis: "
                                  "mask.unsqueeze(1) gives (batch, 1, ..., seq_k), which broadcasts over the heads.",
                           describe(want_w), describe(w))
        problem = _rows_sum(w)
        if problem:
            return Verdict(False, problem, describe(want_w), describe(w))
    for key, dims in (("weights", "(batch, n_heads, seq_q, seq_k)"), ("output", "(batch, seq_q, d_model)")):
        verdict = _compare(key, got[key], expected[key], dims)
        if not verdict.passed:
            if key == "weights":
                verdict.feedback += (" Check how heads are split (view(batch, seq, n_heads, d_head).transpose(1, 2)) "
                                     "and that scores are scaled by sqrt(d_head), the size of ONE head, not sqrt(d_model).")
            else:
                verdict.feedback += (" The weights are right, so look at what happens after attention: merge the heads "
                                     "(transpose back, then reshape) and apply W_o.")
            return verdict
    return Verdict(True)


def check_matches_torch(got, expected, ctx):
    """Your module, loaded with copy_from_torch, against torch.nn.MultiheadAttention itself."""
    if not isinstance(got, dict):
        return Verdict(False, "expected outputs from your module and from nn.MultiheadAttention")
    verdict = _compare("output vs nn.MultiheadAttention", got["output"], got["torch_output"], "(batch, seq, d_model)")
    if not verdict.passed:
        verdict.feedback += (" in_proj_weight stacks [W_q; W_k; W_v] along dim 0 (rows 0:d, d:2d, 2d:3d), "
                             "in_proj_bias likewise; out_proj is W_o. Copy weights as they are (both use "
                             "y = x W^T + b) and do not forget the biases.")
        return verdict
    return _compare("per-head weights vs nn.MultiheadAttention(average_attn_weights=False)", got["weights"],
                    got["torch_weights"], "(batch, n_heads, seq, seq)")


def check_param_counts(got, expected, ctx):
    if not isinstance(got, dict):
        return Verdict(False, "no parameter counts")
    d = expected["d_model"]
    full, no_bias = 4 * d * d + 4 * d, 4 * d * d
    if got.get("one_head") != full or got.get("multi_head") != full:
        return Verdict(False, f"with d_model={d} and bias=True, 1 head has {got.get('one_head')} parameters and 4 "
                              f"heads have {got.get('multi_head')}; both should be 4*d^2 + 4*d = {full}: heads split "
                              "the d_model features, they do not add projections")
    if got.get("multi_head_no_bias") != no_bias:
        return Verdict(False, f"with bias=False there should be 4*d^2 = {no_bias} parameters, got "
                              f"{got.get('multi_head_no_bias')}")
    if not got.get("rejects_indivisible"):
        return Verdict(False, f"MultiHeadAttention({d + 1}, 4) should raise ValueError: d_model must be divisible "
                              "by n_heads")
    return Verdict(True)


def _np_mha(params, x, n_heads):
    """Multi-head self-attention with a causal mask, in numpy, from the grader's weights."""
    proj = lambda name, v: v @ params[name][0].T + params[name][1]  # noqa: E731
    batch, seq, d_model = x.shape
    d_head = d_model // n_heads
    split = lambda v: v.reshape(batch, seq, n_heads, d_head).transpose(0, 2, 1, 3)  # noqa: E731
    q, k, v = split(proj("W_q", x)), split(proj("W_k", x)), split(proj("W_v", x))
    scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(d_head)
    scores = np.where(np.tril(np.ones((seq, seq), dtype=bool)), scores, -np.inf)
    scores = np.exp(scores - scores.max(-1, keepdims=True))
    weights = scores / scores.sum(-1, keepdims=True)
    heads = (weights @ v).transpose(0, 2, 1, 3).reshape(batch, seq, d_model)
    return proj("W_o", heads), weights


def check_heads_compare(got, expected, ctx):
    """1, 2 and 4 heads with the same weights: each equals what the grader computes; same parameter count."""
    params = {k: (np.asarray(w, dtype=np.float64), np.asarray(b, dtype=np.float64)) for k, (w, b) in got["params"].items()}
    x = np.asarray(got["x"], dtype=np.float64)
    counts = {h: run["params"] for h, run in got["runs"].items()}
    if len(set(counts.values())) != 1:
        return Verdict(False, f"parameter counts differ with the number of heads ({counts}): the heads share the "
                              "four d_model x d_model projections, they do not add parameters")
    for h, run in got["runs"].items():
        want_out, want_w = _np_mha(params, x, int(h))
        have_w = np.asarray(run["weights"])
        if have_w.shape != want_w.shape:
            return Verdict(False, f"with {h} head(s) the attention weights have shape {have_w.shape}; expected "
                                  f"{want_w.shape} (batch, n_heads, seq, seq), even for one head")
        if not np.allclose(have_w, want_w, rtol=1e-7, atol=1e-9):
            scale = " (each head's scores are scaled by sqrt(d_model / n_heads))" if h != "1" else \
                " (one head is plain attention over the whole d_model, scaled by sqrt(d_model), after W_q and W_k)"
            return Verdict(False, f"with {h} head(s) and the same weights, your attention weights differ from the "
                                  f"grader's by {np.abs(have_w - want_w).max():.3g}{scale}")
        have_out = np.asarray(run["output"])
        if have_out.shape != want_out.shape or not np.allclose(have_out, want_out, rtol=1e-7, atol=1e-9):
            return Verdict(False, f"with {h} head(s) and the same weights, your output differs from the grader's "
                                  f"(heads concatenated, then W_o): one head and several heads must run the same "
                                  "code path, projections in and W_o out")
    return Verdict(True)
