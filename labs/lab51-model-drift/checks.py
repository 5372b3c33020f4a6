"""Lab 51 checks (outside the sandbox). Divergences are recomputed here with scipy (KL via
scipy.stats.entropy) and numpy (PSI, binning via np.digitize); the drift truth of the hidden windows is
regenerated from the seed with the harness's traffic generator, which the student's code never sees
returned: the sandbox hands back decisions only."""
from __future__ import annotations

import importlib.util
import math
from collections import Counter
from functools import lru_cache

import numpy as np
from scipy.stats import entropy

from labkit.checks import Verdict

TOL = dict(rel_tol=1e-9, abs_tol=1e-12)


@lru_cache(maxsize=None)
def _traffic(lab_dir):
    spec = importlib.util.spec_from_file_location("lab51_traffic", f"{lab_dir}/harness.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ----------------------------------------------------------------- independent computations

def smoothed(p, eps):
    p = np.asarray(p, dtype=np.float64) + eps
    return p / p.sum()


def expected_psi(expected, actual, eps):
    e, a = smoothed(expected, eps), smoothed(actual, eps)
    return float(np.sum((a - e) * (np.log(a) - np.log(e))))


def expected_kl(p, q, eps):
    return float(entropy(smoothed(p, eps), smoothed(q, eps)))


def expected_bins(values, edges):
    counts = np.bincount(np.digitize(values, edges), minlength=len(edges) + 1).astype(np.float64)
    return counts / counts.sum()


def expected_tokens(texts, vocab):
    counts = Counter(t if t in set(vocab) else None for text in texts for t in text.split())
    total = sum(counts.values())
    return np.array([counts[w] for w in vocab] + [counts[None]], dtype=np.float64) / total


def expected_scores(reference, batch, vocab, edges, eps=1e-4):
    ref_len = expected_bins([len(t.split()) for t in reference], edges)
    len_ = expected_bins([len(t.split()) for t in batch], edges)
    ref_tok, tok = expected_tokens(reference, vocab), expected_tokens(batch, vocab)
    return {"length_psi": expected_psi(ref_len, len_, eps), "length_kl": expected_kl(len_, ref_len, eps),
            "token_psi": expected_psi(ref_tok, tok, eps), "token_kl": expected_kl(tok, ref_tok, eps)}


def expected_fired(k, drifted):
    streak, fired = 0, []
    for d in drifted:
        streak = streak + 1 if d else 0
        fired.append(streak >= k)
        if streak >= k:
            streak = 0
    return fired


# ----------------------------------------------------------------- checks

def _close(a, b):
    return math.isfinite(a) and math.isclose(a, b, **TOL)


def check_divergences(got, expected, ctx):
    for mine, ref in zip(got["pairs"], expected["pairs"]):
        e, a, eps = ref["expected"], ref["actual"], ref["eps"]
        want_smooth = smoothed(e, eps)
        if not np.allclose(mine["smoothed"], want_smooth, rtol=1e-9, atol=1e-12):
            return Verdict(False, f"smooth({np.round(e, 4).tolist()}, eps={eps:g}) is "
                                  f"{np.round(mine['smoothed'], 6).tolist()}: add eps to every bin, then divide by "
                                  "the new total so the result still sums to 1",
                           str(want_smooth.tolist()), str(np.asarray(mine["smoothed"]).tolist()))
        for key, want, formula in (("psi", expected_psi(e, a, eps), "sum((a - e) * ln(a / e))"),
                                   ("kl", expected_kl(a, e, eps), "KL(actual || expected) = sum(a * ln(a / e))")):
            if not _close(mine[key], want):
                problem = " (not finite: an empty bin reached a log; smooth both sides first)" \
                    if not math.isfinite(mine[key]) else ""
                return Verdict(False, f"{key} with expected {np.round(e, 4).tolist()}, actual "
                                      f"{np.round(a, 4).tolist()}, eps={eps:g} is {mine[key]!r} where {want!r} was "
                                      f"expected{problem}: {formula} on the smoothed distributions",
                               repr(want), repr(mine[key]))
    return Verdict(True)


def check_binning(got, expected, ctx):
    traffic = _traffic(str(ctx.lab_dir))
    want = expected_bins(expected["lengths"], traffic.LENGTH_EDGES)
    if not np.allclose(got["length_bins"], want, rtol=1e-9, atol=1e-12):
        return Verdict(False, f"bin_proportions with edges {list(traffic.LENGTH_EDGES)} gives "
                              f"{np.round(got['length_bins'], 4).tolist()}: a value equal to an edge belongs to the "
                              "bin that STARTS at that edge (edges[i-1] <= v < edges[i])",
                       str(np.round(want, 4).tolist()), str(np.round(got["length_bins"], 4).tolist()))
    want = expected_tokens(expected["texts"], traffic.vocabulary())
    if not np.allclose(got["token_bins"], want, rtol=1e-9, atol=1e-12):
        return Verdict(False, "token_distribution differs: count every whitespace token of every text, one entry "
                              "per vocabulary word in vocab's order and a last entry for all other tokens, divided by "
                              "the total number of tokens", str(np.round(want, 4).tolist()),
                       str(np.round(got["token_bins"], 4).tolist()))
    return Verdict(True)


def check_detector_scores(got, expected, ctx):
    traffic = _traffic(str(ctx.lab_dir))
    reference, batches, _ = traffic.windows("visible", count=4)
    for i, (batch, mine) in enumerate(zip(batches, got["scores"])):
        want = expected_scores(reference, batch, traffic.vocabulary(), traffic.LENGTH_EDGES)
        for key in want:
            if not _close(mine[key], want[key]):
                return Verdict(False, f"scores(window {i})['{key}'] is {mine[key]!r} where {want[key]!r} was "
                                      "expected (PSI(reference, window); KL(window || reference))",
                               repr(want[key]), repr(mine[key]))
    return Verdict(True)


def check_detector(got, expected, ctx):
    _, _, truth = _traffic(str(ctx.lab_dir)).windows(ctx.seed)
    drifted = [t is not None for t in truth]
    decisions = got["decisions"]
    if len(decisions) != len(drifted):
        return Verdict(False, f"{len(decisions)} decisions for {len(drifted)} windows")
    missed = [truth[i] for i, (d, t) in enumerate(zip(decisions, drifted)) if t and not d]
    false_alarms = sum(1 for d, t in zip(decisions, drifted) if d and not t)
    if missed or false_alarms:
        recall = 1 - len(missed) / max(1, sum(drifted))
        fpr = false_alarms / max(1, len(drifted) - sum(drifted))
        kinds = f" (missed drift kinds: {sorted(set(missed))})" if missed else ""
        return Verdict(False, f"recall {recall:.2f} and false-positive rate {fpr:.2f} on {len(drifted)} hidden "
                              f"windows, where 1.00 and 0.00 were expected{kinds}")
    return Verdict(True)


def check_trigger(got, expected, ctx):
    want = expected_fired(expected["k"], expected["drifted"])
    if got["fired"] != want:
        i = next(i for i, (a, b) in enumerate(zip(got["fired"], want)) if a != b)
        return Verdict(False, f"with k={expected['k']}, update() after the windows {expected['drifted'][:i + 1]} "
                              f"returned {got['fired'][i]} where {want[i]} was expected: fire when the last k "
                              "windows in a row were drifted, then count again from zero",
                       str(want), str(got["fired"]))
    return Verdict(True)
