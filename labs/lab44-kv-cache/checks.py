"""Lab 44 checks (outside the sandbox). Expected values come from the reference run, and where the lab
promises equality with transformers (logits, `generate`), from transformers' own outputs recorded in the
reference run, so nothing the student's run returns about transformers is trusted."""
from __future__ import annotations

import numpy as np

from labkit.checks import Verdict

RTOL, ATOL = 1e-4, 1e-4          # float32 logits/activations: summation order differs from transformers'


def _close(got, want, what: str) -> Verdict:
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    if got.shape != want.shape:
        return Verdict(False, f"{what}: shape {got.shape} where {want.shape} was expected")
    if np.isnan(got).any():
        return Verdict(False, f"{what} contains NaN (a row of the mask with no allowed key gives softmax of all -inf)")
    diff = np.abs(got - want)
    bad = diff > ATOL + RTOL * np.abs(want)
    if bad.any():
        index = tuple(int(i) for i in np.unravel_index(int(np.argmax(diff)), diff.shape))
        return Verdict(False, f"{what}: {100 * bad.mean():.1f}% of values differ; largest difference "
                              f"{diff.max():.3g} at index {index} (expected {want[index]:.5g}, got {got[index]:.5g})")
    return Verdict(True)


def check_mask(got, expected, ctx):
    for i, (g, e) in enumerate(zip(got, expected)):
        g, e = np.asarray(g, dtype=bool), np.asarray(e, dtype=bool)
        q_len, k_len = e.shape
        if g.shape != e.shape:
            return Verdict(False, f"causal_mask({q_len}, {k_len}) has shape {g.shape}, expected ({q_len}, {k_len})")
        if not (g == e).all():
            row = int(np.argmax((g != e).any(axis=1)))
            allowed = [int(j) for j in np.flatnonzero(g[row])]
            want = [int(j) for j in np.flatnonzero(e[row])]
            return Verdict(False, f"causal_mask({q_len}, {k_len}): query {row} (absolute position "
                                  f"{k_len - q_len + row}) may attend to keys {allowed}, expected {want}",
                           expected=str(e.astype(int).tolist()), got=str(g.astype(int).tolist()))
    return Verdict(True)


def check_cache(got, expected, ctx):
    if got["lengths"] != expected["lengths"]:
        return Verdict(False, f"KVCache.length() went {got['lengths']} (empty, after each round of updates, after "
                              f"truncate({expected['truncated_to']}), after one more update); expected "
                              f"{expected['lengths']}")
    for i, (g, e) in enumerate(zip(got["returned"], expected["returned"])):
        for name, gt, et in (("keys", g[0], e[0]), ("values", g[1], e[1])):
            gt, et = np.asarray(gt), np.asarray(et)
            if gt.shape != et.shape:
                return Verdict(False, f"update call {i + 1} returned {name} of shape {gt.shape} where {et.shape} "
                                      "(batch, n_heads, every position so far, head_dim) was expected")
            if not np.array_equal(gt, et):
                after = " after truncate" if i >= len(expected["returned"]) - 2 else ""
                return Verdict(False, f"update call {i + 1}{after} returned the wrong {name}: the cache must hold the "
                                      "earlier positions in order followed by the new ones (concatenate on dim 2)")
    return Verdict(True)


def check_attention(got, expected, ctx):
    return _close(got, expected, "attention output")


def check_incremental(got, expected, ctx):
    verdict = _close(got["full"], expected["full"], "attention without a cache")
    if not verdict.passed:
        return verdict
    verdict = _close(got["incremental"], expected["full"],
                     f"attention fed in chunks {got['chunks']} through a KVCache (concatenated)")
    if not verdict.passed:
        verdict.feedback += (": chunk by chunk with the cache must equal one pass over the whole sequence; a query "
                             "at absolute position p sees keys 0..p, where p counts the cached positions")
    return verdict


def check_forward(got, expected, ctx):
    verdict = _close(got["full"], expected["hf"], "gpt2_forward logits vs transformers' GPT2LMHeadModel")
    if not verdict.passed:
        return verdict
    verdict = _close(got["cached"], expected["hf"],
                     f"gpt2_forward on {got['split']} tokens then the rest with a KVCache vs one uncached pass")
    if not verdict.passed:
        verdict.feedback += ": the second call's tokens sit at positions split, split + 1, ... (wpe), not 0, 1, ..."
        return verdict
    if got["length"] != expected["length"]:
        return Verdict(False, f"after two gpt2_forward calls the cache holds {got['length']} positions, expected "
                              f"{expected['length']}")
    return Verdict(True)


def _first_difference(got, want, prompt_len):
    got, want = np.asarray(got), np.asarray(want)
    if got.shape != want.shape:
        return f"shape {got.shape} where {want.shape} was expected"
    diff = np.argwhere(got != want)
    if not len(diff):
        return None
    row, col = (int(i) for i in diff[0])
    if col < prompt_len:
        return f"row {row}: the prompt itself was changed at position {col} (return prompt + new tokens)"
    return (f"row {row}: new token {col - prompt_len + 1} is {int(got[row, col])} where transformers' generate gives "
            f"{int(want[row, col])} (first difference; {len(diff)} tokens differ)")


def check_generate(got, expected, ctx):
    for key, label in (("cached", "use_cache=True"), ("uncached", "use_cache=False")):
        problem = _first_difference(got[key], expected["hf"], expected["prompt_len"])
        if problem:
            return Verdict(False, f"greedy_generate({label}): {problem}",
                           expected=str(np.asarray(expected["hf"]).tolist()), got=str(np.asarray(got[key]).tolist()))
    return Verdict(True)


def check_truncate(got, expected, ctx):
    if got["lengths"] != expected["lengths"]:
        return Verdict(False, f"cache lengths {got['lengths']} (after prompt + drafts, after truncate, after one more "
                              f"token); expected {expected['lengths']}")
    verdict = _close(got["logits"], expected["hf"], "logits after rolling the cache back and feeding one token")
    if not verdict.passed:
        verdict.feedback += (": after truncate(n) the cache must be exactly what it was after n positions "
                             "(keep the first n, in every layer, keys and values)")
    return verdict


def check_work(got, expected, ctx):
    work, want = got["work"], expected["work"]
    t, n = want["prompt_len"], want["new_tokens"]
    if work["cached"] != want["cached"]:
        return Verdict(False, f"greedy_generate(use_cache=True) with a {t}-token prompt and {n} new tokens fed "
                              f"{work['cached']:g} positions through each layer's attention; with a cache it is "
                              f"{want['cached']:g} (the prompt once, then only each new token; every layer must go "
                              "through your attention function)")
    if work["uncached"] != want["uncached"]:
        return Verdict(False, f"greedy_generate(use_cache=False) fed {work['uncached']:g} positions through each layer; "
                              f"without a cache every step reruns the whole sequence: {want['uncached']:g}")
    return Verdict(True)


def check_speedup(got, expected, ctx):
    speed, floor = got["speedup"], expected["min_speedup"]
    report = (f"measured: cached {got['cached_s'] * 1000:.0f} ms, uncached {got['uncached_s'] * 1000:.0f} ms, "
              f"speed-up {speed:.2f}x ({got['prompt_len']}-token prompt, {got['new_tokens']} new tokens); "
              f"the reference got {expected['speedup']:.2f}x")
    if got["work"] != expected["work"]:
        return Verdict(False, f"{report}; but the generations did not do the work a cached / uncached generation does "
                              "(see work_hidden), so the speed-up does not count")
    if speed < floor:
        return Verdict(False, f"{report}; at least {floor}x was expected")
    return Verdict(True, report, expected=f"at least {floor}x", got=f"{speed:.2f}x")
