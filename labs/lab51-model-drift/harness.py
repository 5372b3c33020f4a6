"""Lab 51 harness (runs inside the sandbox). Traffic is simulated from the seed: a reference batch of
prompts, then windows of live traffic, some of them drifted (longer prompts, a new topic, or both). Which
windows are drifted is never returned: the harness hands back the student's decisions and scores, and
checks.py regenerates the truth from the seed outside the sandbox."""
from __future__ import annotations

import math
import numbers
import random

import numpy as np

from labkit.harness import case

TOPICS = {
    "billing": "invoice refund charge payment card plan upgrade receipt price discount subscription account".split(),
    "shipping": "parcel delivery courier tracking address package warehouse late lost return label order".split(),
    "login": "password reset email code locked username verify session device browser token sign".split(),
}
NEW_TOPIC = "python error stacktrace install version module import function crash compile library bug".split()
FILLER = "please help my the a i can not with is it why how to do you".split()
LENGTH_EDGES = (5, 8, 10, 12, 15, 20, 28)
DRIFT_KINDS = ("length", "topic", "both")


def vocabulary():
    return sorted(FILLER + [w for words in TOPICS.values() for w in words])


def _prompt(rng, mean_length, new_topic_share):
    length = max(2, int(round(rng.gauss(mean_length, mean_length * 0.3))))
    topic = TOPICS[rng.choice(sorted(TOPICS))]
    words = []
    for _ in range(length):
        roll = rng.random()
        if roll < new_topic_share:
            words.append(rng.choice(NEW_TOPIC))
        elif roll < new_topic_share + (1 - new_topic_share) * 0.45:
            words.append(rng.choice(FILLER))
        else:
            words.append(rng.choice(topic))
    return " ".join(words)


def traffic_batch(rng, size, drift=None):
    mean_length = 18.0 if drift in ("length", "both") else 10.0
    new_topic_share = 0.2 if drift in ("topic", "both") else 0.01
    return [_prompt(rng, mean_length, new_topic_share) for _ in range(size)]


def windows(seed, count=14):
    """The reference batch and `count` live windows with their truth (None = clean, else the drift kind).
    checks.py calls this too, to know which windows are drifted."""
    rng = random.Random(f"{seed}:traffic")
    reference = traffic_batch(rng, 400)
    truth = [None] * count
    for i in rng.sample(range(count), rng.randint(count // 3, count // 2)):
        truth[i] = rng.choice(DRIFT_KINDS)
    return reference, [traffic_batch(rng, rng.randint(250, 400), kind) for kind in truth], truth


def trigger_sequence(seed):
    rng = random.Random(f"{seed}:trigger")
    return rng.randint(2, 4), [rng.random() < 0.55 for _ in range(rng.randint(30, 50))]


# ----------------------------------------------------------------- validation

def _number(value, what):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{what} must return a float, got {type(value).__name__}")
    return float(value)


def _proportions(value, length, what):
    array = np.asarray(value)
    if array.shape != (length,):
        raise ValueError(f"{what} has shape {array.shape} where ({length},) was expected (one entry per bin)")
    if not np.issubdtype(array.dtype, np.floating):
        raise TypeError(f"{what} has dtype {array.dtype}: return float64 proportions, not counts")
    return array.astype(np.float64)


def _bool(value, what):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{what} must return a bool, got {type(value).__name__}")
    return bool(value)


SCORE_KEYS = ("length_psi", "length_kl", "token_psi", "token_kl")


def _scores(value):
    if not isinstance(value, dict) or set(value) != set(SCORE_KEYS):
        raise TypeError(f"DriftDetector.scores must return a dict with exactly the keys {list(SCORE_KEYS)}")
    return {k: _number(value[k], f"scores(...)['{k}']") for k in SCORE_KEYS}


# ----------------------------------------------------------------- cases

def _random_distributions(rng, count):
    pairs = []
    for _ in range(count):
        bins = int(rng.integers(3, 13))
        e = rng.random(bins) * (rng.random(bins) < 0.8)        # some empty bins on either side
        a = rng.random(bins) * (rng.random(bins) < 0.8)
        e[0], a[-1] = e[0] + 0.1, a[-1] + 0.1
        pairs.append((e / e.sum(), a / a.sum(), float(rng.choice([1e-4, 1e-3, 1e-6]))))
    return pairs


@case
def divergences(student, ctx):
    if ctx.visible:
        pairs = [(np.array([0.5, 0.3, 0.2]), np.array([0.2, 0.3, 0.5]), 1e-4),
                 (np.array([0.25, 0.25, 0.25, 0.25]), np.array([0.4, 0.4, 0.2, 0.0]), 1e-4)]
        ctx.show(pairs=[{"expected": e.tolist(), "actual": a.tolist(), "eps": eps} for e, a, eps in pairs])
    else:
        pairs = _random_distributions(np.random.default_rng(ctx.seed), 10)
    out = []
    for e, a, eps in pairs:
        smoothed = _proportions(student.smooth(e.copy(), eps), len(e), "smooth(p, eps)")
        out.append({"expected": e, "actual": a, "eps": eps, "smoothed": smoothed,
                    "psi": _number(student.psi(e.copy(), a.copy(), eps), "psi"),
                    "kl": _number(student.kl_divergence(a.copy(), e.copy(), eps), "kl_divergence")})
    return {"pairs": out}


@case
def binning(student, ctx):
    if ctx.visible:
        return None
    rng = random.Random(f"{ctx.seed}:binning")
    lengths = [rng.randint(1, 40) for _ in range(200)] + list(LENGTH_EDGES)        # values on the edges
    texts = traffic_batch(rng, 60, rng.choice(DRIFT_KINDS)) + ["", "unknownword please"]
    vocab = vocabulary()
    return {"lengths": lengths, "texts": texts,
            "length_bins": _proportions(student.bin_proportions(list(lengths), list(LENGTH_EDGES)),
                                        len(LENGTH_EDGES) + 1, "bin_proportions(values, edges)"),
            "token_bins": _proportions(student.token_distribution(list(texts), list(vocab)), len(vocab) + 1,
                                       "token_distribution(texts, vocab)")}


def _detector(student, reference):
    return student.DriftDetector(list(reference), vocabulary(), list(LENGTH_EDGES),
                                 psi_threshold=0.2, kl_threshold=0.1, eps=1e-4)


@case
def detector_scores(student, ctx):
    if not ctx.visible:
        return None
    reference, batches, _ = windows("visible", count=4)
    ctx.show(reference_prompts=reference[:3], first_window_prompts=batches[0][:3])
    detector = _detector(student, reference)
    return {"scores": [_scores(detector.scores(list(b))) for b in batches]}


@case
def detector(student, ctx):
    if ctx.visible:
        return None
    reference, batches, _ = windows(ctx.seed)
    detector = _detector(student, reference)
    return {"decisions": [_bool(detector.is_drifted(list(b)), "DriftDetector.is_drifted") for b in batches]}


@case
def trigger(student, ctx):
    k, drifted = (3, [True, True, False, True, True, True, True, True, True, False]) if ctx.visible \
        else trigger_sequence(ctx.seed)
    if ctx.visible:
        ctx.show(k=k, drifted=drifted)
    trigger = student.RetrainingTrigger(k)
    return {"k": k, "drifted": drifted,
            "fired": [_bool(trigger.update(d), "RetrainingTrigger.update") for d in drifted]}
