"""Lab 59 checks (outside the sandbox): counts and one collapsed Gibbs sweep replayed with the recorded
uniforms, UMass coherence (Mimno et al., 2011) recomputed, and the learned topics matched to the planted
ones drawn again from the seed (scipy's Hungarian algorithm on total-variation distances)."""
from __future__ import annotations

import importlib.util
import math
import sys

import numpy as np
from scipy.optimize import linear_sum_assignment

from labkit.checks import Verdict, describe

MAX_TOPIC_DISTANCE = 0.30      # total variation between a planted topic and its matched learned topic
MIN_TOP_WORD_OVERLAP = 0.90    # share of a planted topic's 10 own words among the matched topic's top 10


def _counts(documents, z, topics, vocab):
    doc_topic = np.zeros((len(documents), topics), dtype=np.int64)
    topic_word = np.zeros((topics, vocab), dtype=np.int64)
    for d, (words, ks) in enumerate(zip(documents, z)):
        for w, k in zip(words, ks):
            doc_topic[d, k] += 1
            topic_word[k, w] += 1
    return doc_topic, topic_word, topic_word.sum(axis=1)


def check_counts(got, expected, ctx):
    want = dict(zip(("doc_topic", "topic_word", "topic_total"),
                    _counts(expected["documents"], expected["z"], expected["num_topics"], expected["vocab_size"])))
    for name, matrix in want.items():
        if not np.array_equal(got[name], matrix):
            return Verdict(False, f"{name} differs: doc_topic[d, k] counts tokens of document d assigned to k, "
                                  "topic_word[k, w] tokens of word w assigned to k, topic_total[k] all tokens of k",
                           describe(matrix), describe(got[name]))
    return Verdict(True)


def replay_sweep(documents, z, topics, vocab, alpha, beta, uniforms):
    doc_topic, topic_word, topic_total = _counts(documents, z, topics, vocab)
    new_z, n = [], 0
    for d, words in enumerate(documents):
        ks = list(z[d])
        for i, w in enumerate(words):
            k = ks[i]
            doc_topic[d, k] -= 1
            topic_word[k, w] -= 1
            topic_total[k] -= 1
            p = [(doc_topic[d, j] + alpha) * (topic_word[j, w] + beta) / (topic_total[j] + vocab * beta)
                 for j in range(topics)]
            target, running, k = uniforms[n] * sum(p), 0.0, topics - 1
            for j in range(topics):
                running += p[j]
                if target < running:
                    k = j
                    break
            doc_topic[d, k] += 1
            topic_word[k, w] += 1
            topic_total[k] += 1
            ks[i] = k
            n += 1
        new_z.append(ks)
    return new_z, doc_topic, topic_word, topic_total


def check_sweep(got, expected, ctx):
    new_z, *counts = replay_sweep(expected["documents"], expected["z"], expected["num_topics"], expected["vocab_size"],
                                  expected["alpha"], expected["beta"], np.asarray(expected["uniforms"]))
    for d, (want, have) in enumerate(zip(new_z, got["new_z"])):
        if want != have:
            i = next(i for i, (a, b) in enumerate(zip(want, have)) if a != b)
            return Verdict(False, f"after one sweep, token {i} of document {d} has topic {have[i]} where {want[i]} was "
                                  "expected: remove the token from the counts first, weight each topic by "
                                  "(n_dk + alpha) * (n_kw + beta) / (n_k + V * beta), and pick the first topic whose "
                                  "cumulative weight exceeds u * total", describe(want), describe(have))
    for name, want in zip(("doc_topic", "topic_word", "topic_total"), counts):
        if not np.array_equal(got[name], want):
            return Verdict(False, f"the topics are right but {name} was not kept up to date in place",
                           describe(want), describe(got[name]))
    return Verdict(True)


def reference_umass(top, documents):
    sets = [set(d) for d in documents]
    def df(*words):
        return sum(all(w in s for w in words) for s in sets)
    return sum(math.log((df(top[i], top[j]) + 1) / df(top[j])) for i in range(1, len(top)) for j in range(i))


def check_coherence(got, expected, ctx):
    for top, have in zip(expected["top_words"], got["scores"]):
        want = reference_umass(top, expected["documents"])
        if not math.isclose(have, want, rel_tol=1e-9, abs_tol=1e-9):
            return Verdict(False, f"umass_coherence({top}) is {have:.6f} where {want:.6f} was expected: sum over pairs "
                                  "i > j (j ranked higher) of log((D(w_i, w_j) + 1) / D(w_j)), D counting documents",
                           f"{want:.6f}", f"{have:.6f}")
    return Verdict(True)


def _planted(lab_dir):
    name = "lab59_planted_checks"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, lab_dir / "data" / "planted.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules[name] = module
    return sys.modules[name]


def check_recovery(got, expected, ctx):
    phi, theta = np.asarray(got["phi"]), np.asarray(got["theta"])
    for name, matrix in (("phi", phi), ("theta", theta)):
        if (matrix < 0).any() or not np.allclose(matrix.sum(axis=1), 1.0, atol=1e-6):
            return Verdict(False, f"{name} rows must be probability distributions (non-negative, summing to 1)")
    _, planted, words = _planted(ctx.lab_dir).planted(f"hidden:{ctx.seed}")
    distance = 0.5 * np.abs(planted[:, None, :] - phi[None, :, :]).sum(axis=-1)
    rows, cols = linear_sum_assignment(distance)
    own = [set(np.argsort(-p, kind="stable")[:10]) for p in planted]
    learned = [set(np.argsort(-p, kind="stable")[:10]) for p in phi]
    overlap = float(np.mean([len(own[r] & learned[c]) / 10 for r, c in zip(rows, cols)]))
    worst = float(distance[rows, cols].max())
    if got["top_words"] != [list(map(int, np.argsort(-p, kind="stable")[:10])) for p in phi]:
        return Verdict(False, "top_words(phi, 10) must list each topic's word ids by decreasing probability "
                              "(ties: smaller id first)")
    summary = "; ".join(" ".join(words[w] for w in sorted(learned[c], key=lambda w: -phi[c, w])[:5]) for c in cols)
    if worst > MAX_TOPIC_DISTANCE or overlap < MIN_TOP_WORD_OVERLAP:
        return Verdict(False, f"the learned topics do not recover the planted ones: worst matched total-variation "
                              f"distance {worst:.3f} (at most {MAX_TOPIC_DISTANCE}), top-10 overlap {overlap:.2f} "
                              f"(at least {MIN_TOP_WORD_OVERLAP}). Your topics: {summary}",
                       f"distance <= {MAX_TOPIC_DISTANCE}", f"{worst:.3f}")
    return Verdict(True, f"worst matched distance {worst:.3f}, overlap {overlap:.2f}; topics: {summary}")
