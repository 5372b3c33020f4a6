"""Lab 11 custom checks (run outside the sandbox).

The embedding checks use the topic of every word (known from the corpus generator; taken from the
reference run's copy, never from the student's run): a good embedding puts each topic word next to
words of the same topic. Thresholds sit far between trained embeddings (nearest-neighbour accuracy
~1.0, separation 0.4-0.7) and untrained or broken ones (~0.25, ~0).

A count baseline (rows of the co-occurrence matrix, projected) groups topics just as well, so the topic
metric alone does not show that a model was trained. The checks also compute each model's OWN objective
from the student's weights: the SGNS loss of in_embed/out_embed on the corpus's pairs (trained ~2.2,
untrained log(2) * (1 + k) ~ 4.16) and the GloVe objective of the parameters train_glove last passed to
glove_loss (trained ~3-7, untrained ~5,000)."""
from __future__ import annotations

import math

import numpy as np

from labkit.checks import Verdict, allclose

MIN_NN_ACCURACY = 0.75
MIN_SEPARATION = 0.15
MIN_OOV_ACCURACY = 0.75
SGNS_SHARE = 0.25    # SGNS loss at most reference + 25% of the way from the reference to an untrained model
GLOVE_SHARE = 0.02   # GloVe objective at most 2% of the untrained one (w = w~ = b = b~ = 0)
WINDOW, NEGATIVES = 2, 5


def _pairs(sentences: list[list[int]]) -> np.ndarray:
    pairs = [(s[i], s[j]) for s in sentences for i in range(len(s))
             for j in range(max(0, i - WINDOW), min(len(s), i + WINDOW + 1)) if j != i]
    return np.array(pairs, dtype=np.int64).reshape(-1, 2)


def sgns_objective(center: np.ndarray, out: np.ndarray, sentences: list[list[int]], seed: int) -> float:
    """Mean SGNS loss over every (center, context) pair of the corpus, negatives from unigram^0.75."""
    pairs = _pairs(sentences)
    counts = np.bincount([w for s in sentences for w in s], minlength=len(center)).astype(np.float64)
    noise = counts ** 0.75 / (counts ** 0.75).sum()
    negatives = np.random.default_rng(seed).choice(len(noise), size=(len(pairs), NEGATIVES), p=noise)
    c, o = center[pairs[:, 0]].astype(np.float64), out[pairs[:, 1]].astype(np.float64)
    n = out[negatives].astype(np.float64)
    positive = -np.logaddexp(0.0, -(c * o).sum(1))
    negative = -np.logaddexp(0.0, np.einsum("bkd,bd->bk", n, c)).sum(1)
    return float(-(positive + negative).mean())


def cooccurrence(sentences: list[list[int]], size: int) -> np.ndarray:
    counts = np.zeros((size, size))
    for s in sentences:
        for i in range(len(s)):
            for j in range(i + 1, min(len(s), i + WINDOW + 1)):
                counts[s[i], s[j]] += 1.0 / (j - i)
                counts[s[j], s[i]] += 1.0 / (j - i)
    return counts


def glove_objective(params: dict, counts: np.ndarray, x_max: float = 10.0, alpha: float = 0.75) -> float:
    mask = counts > 0
    weight = np.where(counts < x_max, (counts / x_max) ** alpha, 1.0)
    error = (params["w"] @ params["w_tilde"].T + params["b"][:, None] + params["b_tilde"][None, :]
             - np.log(np.where(mask, counts, 1.0)))
    return float((weight * error ** 2)[mask].sum())


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
        if not got.get("changed", True):
            return Verdict(False, "in_embed did not change during train_skipgram: the optimizer must hold the "
                                  "model's parameters (torch.optim.Adam(model.parameters(), lr)) and step every batch")
        if losses[-1] > losses[0]:
            return Verdict(False, f"the training loss went UP: per-epoch losses {[round(x, 3) for x in losses]}. "
                                  "Gradients piling up (no optimizer.zero_grad() before backward) or a sign error in "
                                  "sgns_loss do that", got=str([round(x, 3) for x in losses]))
        if not losses[-1] < 0.95 * losses[0]:
            return Verdict(False, f"the training loss hardly moved: per-epoch losses {[round(x, 3) for x in losses]}. "
                                  "Is optimizer.step() called for every batch, with the lr you are given?",
                           got=str([round(x, 3) for x in losses]))
    else:
        problem = _glove_fit(got, expected)
        if problem:
            return problem
    accuracy, separation = topic_scores(expected["words"], expected["topics"], vectors)
    want_acc, want_sep = topic_scores(expected["words"], expected["topics"], expected["vectors"])
    detail = (f"nearest-neighbour topic accuracy {accuracy:.2f} (need >= {MIN_NN_ACCURACY}), within-minus-between "
              f"topic cosine {separation:.2f} (need >= {MIN_SEPARATION})")
    if accuracy < MIN_NN_ACCURACY or separation < MIN_SEPARATION:
        return Verdict(False, f"the {what} embeddings do not group the words of a topic together: {detail}",
                       expected=f"reference: accuracy {want_acc:.2f}, separation {want_sep:.2f}",
                       got=f"accuracy {accuracy:.2f}, separation {separation:.2f}")
    return Verdict(True, detail)


def _glove_fit(got, expected) -> Verdict | None:
    """train_glove must minimise glove_loss: the GloVe objective of its last parameters, computed here."""
    if not got.get("loss_calls") or got.get("params") is None:
        return Verdict(False, "train_glove never called glove_loss(w, w_tilde, b, b_tilde, counts): GloVe vectors "
                              "come from minimising that loss with Adagrad, not from the counts directly")
    params, words = got["params"], expected["words"]
    shapes = {"w": (len(words), None), "w_tilde": (len(words), None), "b": (len(words),), "b_tilde": (len(words),)}
    for name, shape in shapes.items():
        value = params.get(name)
        if not isinstance(value, np.ndarray) or value.shape[:1] != shape[:1] or value.ndim != len(shape):
            return Verdict(False, f"glove_loss was called with a {name} that is not a tensor of shape {shape}")
    counts = cooccurrence(expected["sentences"], len(words))
    zero = {k: np.zeros_like(v) for k, v in params.items()}
    have, untrained = glove_objective(params, counts), glove_objective(zero, counts)
    want = glove_objective(expected["params"], counts)
    if not math.isfinite(have) or have > GLOVE_SHARE * untrained:
        return Verdict(False, f"the GloVe objective of your final parameters is {have:.1f} (an untrained model has "
                              f"{untrained:.0f}, the reference {want:.1f}; need at most {GLOVE_SHARE * untrained:.0f}): "
                              f"train for all {GLOVE_EPOCHS} epochs with Adagrad(lr) on w, w~, b, b~")
    return None


GLOVE_EPOCHS = 300


def check_sgns_objective(got, expected, ctx) -> Verdict:
    """The SGNS loss of the student's trained in_embed/out_embed on the corpus, computed here."""
    vectors = _vectors(got, expected, "word2vec")
    if isinstance(vectors, Verdict):
        return vectors
    out = got.get("out_vectors")
    if not isinstance(out, np.ndarray) or out.shape != vectors.shape or not np.isfinite(out).all():
        return Verdict(False, "out_embed is missing or not finite after training")
    have = sgns_objective(vectors, out, expected["sentences"], ctx.seed)
    want = sgns_objective(expected["vectors"], expected["out_vectors"], expected["sentences"], ctx.seed)
    untrained = math.log(2.0) * (1 + NEGATIVES)
    limit = want + SGNS_SHARE * (untrained - want)
    if have > limit:
        return Verdict(False, f"the skip-gram loss of your trained in_embed/out_embed on the corpus is {have:.3f} "
                              f"(untrained: {untrained:.3f}, reference: {want:.3f}, need at most {limit:.3f}): the "
                              "vectors must come from training SkipGram with sgns_loss, both embeddings updated",
                       expected=f"<= {limit:.3f}", got=f"{have:.3f}")
    return Verdict(True, f"skip-gram loss {have:.3f} (reference {want:.3f})")


def check_projection(got, expected, ctx) -> Verdict:
    """project_2d: PCA coordinates; each component's sign is arbitrary."""
    if not isinstance(got, np.ndarray) or got.shape != expected.shape:
        return Verdict(False, f"project_2d returned shape {getattr(got, 'shape', None)}, expected {expected.shape}")
    for axis in range(2):
        have, want = got[:, axis], expected[:, axis]
        if allclose(have, want, rtol=1e-6, atol=1e-8).passed or allclose(-have, want, rtol=1e-6, atol=1e-8).passed:
            continue
        if abs(float(np.mean(have))) > 1e-6 and abs(float(np.mean(want))) < 1e-6:
            return Verdict(False, f"component {axis + 1} has mean {float(np.mean(have)):.4f}, not 0: subtract the "
                                  "mean vector before the SVD (PCA works on centred data)")
        return Verdict(False, f"component {axis + 1} differs from the projection on the top principal direction "
                              "(up to sign): centred @ Vt[axis] where U, S, Vt = np.linalg.svd(centred)",
                       expected=str(np.round(want[:6], 4).tolist()), got=str(np.round(have[:6], 4).tolist()))
    return Verdict(True)


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
