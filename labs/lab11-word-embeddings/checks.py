"""Lab 11 custom checks (run outside the sandbox).

The embedding checks use the topic of every word (known from the corpus generator; taken from the
reference run's copy, never from the student's run): a good embedding puts each topic word next to
words of the same topic. Thresholds sit far between trained embeddings (nearest-neighbour accuracy
~1.0, separation 0.4-0.7) and untrained or broken ones (~0.25, ~0)."""
from __future__ import annotations

import math

import numpy as np

from labkit.checks import Verdict

MIN_NN_ACCURACY = 0.75
MIN_SEPARATION = 0.15
MIN_OOV_ACCURACY = 0.75


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)


def topic_scores(words: list[str], topics: dict[str, int], vectors: np.ndarray) -> tuple[float, float]:
    """(nearest-neighbour topic accuracy, mean within-topic cosine - mean between-topic cosine)."""
    index = [i for i, w in enumerate(words) if w in topics]
    unit = _unit(vectors[index].astype(np.float64))
    labels = np.array([topics[words[i]] for i in index])
    sim = unit @ unit.T
    np.fill_diagonal(sim, -np.inf)
    accuracy = float((labels[sim.argmax(1)] == labels).mean())
    np.fill_diagonal(sim, np.nan)
    same = labels[:, None] == labels[None, :]
    separation = float(np.nanmean(np.where(same, sim, np.nan)) - np.nanmean(np.where(~same, sim, np.nan)))
    return accuracy, separation


def _vectors(got, expected, what: str) -> np.ndarray | Verdict:
    if not isinstance(got, dict) or not isinstance(got.get("vectors"), np.ndarray):
        return Verdict(False, f"{what} produced no vectors")
    vectors = got["vectors"]
    if vectors.shape != expected["vectors"].shape:
        return Verdict(False, f"{what} vectors have shape {vectors.shape}; expected {expected['vectors'].shape}")
    if not np.isfinite(vectors).all():
        return Verdict(False, f"{what} vectors contain NaN or inf: training diverged (check the loss and the "
                              "learning rate)")
    return vectors


def check_embeddings(got, expected, ctx) -> Verdict:
    what = "word2vec" if "losses" in expected else "GloVe"
    vectors = _vectors(got, expected, what)
    if isinstance(vectors, Verdict):
        return vectors
    if "losses" in expected:
        losses = got.get("losses") or []
        if not all(isinstance(x, float) and math.isfinite(x) for x in losses):
            return Verdict(False, f"train_skipgram returned non-finite losses {losses}")
        if not losses[-1] < 0.95 * losses[0]:
            return Verdict(False, f"the training loss did not go down: per-epoch losses {[round(x, 3) for x in losses]}. "
                                  "Call optimizer.zero_grad(), loss.backward() and optimizer.step() for every batch",
                           got=str([round(x, 3) for x in losses]))
    accuracy, separation = topic_scores(expected["words"], expected["topics"], vectors)
    want_acc, want_sep = topic_scores(expected["words"], expected["topics"], expected["vectors"])
    detail = (f"nearest-neighbour topic accuracy {accuracy:.2f} (need >= {MIN_NN_ACCURACY}), within-minus-between "
              f"topic cosine {separation:.2f} (need >= {MIN_SEPARATION})")
    if accuracy < MIN_NN_ACCURACY or separation < MIN_SEPARATION:
        return Verdict(False, f"the {what} embeddings do not group the words of a topic together: {detail}",
                       expected=f"reference: accuracy {want_acc:.2f}, separation {want_sep:.2f}",
                       got=f"accuracy {accuracy:.2f}, separation {separation:.2f}")
    return Verdict(True, detail)


def check_oov(got, expected, ctx) -> Verdict:
    vectors = _vectors(got, expected, "fastText")
    if isinstance(vectors, Verdict):
        return vectors
    words, topics, oov = expected["words"], expected["topics"], expected["oov"]
    position = {w: i for i, w in enumerate(words)}
    unit = _unit(vectors.astype(np.float64))
    n_topics = max(topics.values()) + 1
    correct = 0
    for word, base in oov.items():
        # Topic centroids without the base word itself: the unseen form must land in its topic, not just
        # next to the word it was made from.
        centroids = [unit[[position[w] for w, t in topics.items() if t == k and w != base]].mean(0)
                     for k in range(n_topics)]
        correct += int(np.argmax([unit[position[word]] @ c for c in centroids]) == topics[base])
    accuracy = correct / len(oov)
    if accuracy < MIN_OOV_ACCURACY:
        return Verdict(False, f"only {correct} of {len(oov)} unseen words (e.g. {next(iter(oov))!r}) are closest to "
                              f"their topic; need {MIN_OOV_ACCURACY:.0%}")
    return Verdict(True, f"{correct} of {len(oov)} unseen words land in their topic")


def check_negatives(got, expected, ctx) -> Verdict:
    if not isinstance(got, dict):
        return Verdict(False, "sample_negatives produced nothing usable")
    if not got.get("same_seed_equal"):
        return Verdict(False, "two generators with the same seed gave different negatives: pass generator=generator "
                              "to torch.multinomial (or whatever sampler you use)")
    if not got.get("rows_differ"):
        return Verdict(False, "every row of negatives is the same: draw batch * k independent samples")
    noise = expected["noise"]
    histogram = np.asarray(got["histogram"], dtype=np.float64)
    total = histogram.sum()
    tv = 0.5 * float(np.abs(histogram / total - noise).sum())
    bound = (0.5 * math.sqrt(len(noise)) + math.sqrt(math.log(1e6) / 2)) / math.sqrt(total)
    if tv > bound:
        return Verdict(False, f"the negatives are not distributed like the noise distribution: total-variation "
                              f"distance {tv:.3f} over {int(total)} draws (a correct sampler stays below {bound:.3f})",
                       expected=str(np.round(noise, 3).tolist()), got=str(np.round(histogram / total, 3).tolist()))
    return Verdict(True)
