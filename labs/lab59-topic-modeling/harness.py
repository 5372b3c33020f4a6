"""Lab 59 harness (runs inside the sandbox): builds LDA count matrices, runs one collapsed Gibbs sweep with
given uniforms, computes UMass coherence, and fits the student's LDA on a corpus with planted topics drawn
from the seed by data/planted.py. checks.py replays the sweep, recomputes coherence, and matches the learned
topics to the planted ones (Hungarian algorithm) outside the sandbox."""
from __future__ import annotations

import importlib.abc
import importlib.util
import json
import numbers
import sys

import numpy as np

from labkit.harness import case

BLOCKED_LIBRARIES = ("sklearn", "gensim", "scipy", "lda", "torch", "tomotopy")
ALPHA, BETA, ITERATIONS = 1.0, 0.1, 80


class _BlockLibraries(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".")[0] in BLOCKED_LIBRARIES:
            raise ImportError(f"{fullname} is not available in this lab: write the sampler yourself with numpy")
        return None


sys.meta_path.insert(0, _BlockLibraries())


def _planted(ctx):
    name = "lab59_planted"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ctx.data_dir / "planted.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules[name] = module
    return sys.modules[name]


def _tiny(ctx):
    return json.loads((ctx.data_dir / "tiny.json").read_text(encoding="utf-8"))


def random_corpus(rng, docs, vocab, topics):
    documents = [[int(w) for w in rng.integers(0, vocab, rng.integers(4, 11))] for _ in range(docs)]
    z = [[int(k) for k in rng.integers(0, topics, len(d))] for d in documents]
    return documents, z


def counts_of(documents, z, topics, vocab):
    doc_topic = np.zeros((len(documents), topics), dtype=np.int64)
    topic_word = np.zeros((topics, vocab), dtype=np.int64)
    for d, (words, ks) in enumerate(zip(documents, z)):
        np.add.at(doc_topic[d], ks, 1)
        np.add.at(topic_word, (ks, words), 1)
    return doc_topic, topic_word, topic_word.sum(axis=1)


# ----------------------------------------------------------------- validation

def _array(value, what, shape, kind):
    if not isinstance(value, np.ndarray):
        raise TypeError(f"{what} must be a numpy array, got {type(value).__name__}")
    if value.shape != shape:
        raise ValueError(f"{what} has shape {value.shape} where {shape} was expected")
    if value.dtype.kind not in kind:
        raise TypeError(f"{what} has dtype {value.dtype}; expected {'an integer' if 'i' in kind else 'a float'} dtype")
    return value


def _counts(student, documents, z, topics, vocab):
    result = student.init_counts([list(d) for d in documents], [list(k) for k in z], topics, vocab)
    if not isinstance(result, tuple) or len(result) != 3:
        raise TypeError("init_counts must return a tuple (doc_topic, topic_word, topic_total)")
    shapes = [(len(documents), topics), (topics, vocab), (topics,)]
    names = ["doc_topic", "topic_word", "topic_total"]
    return {n: _array(a, f"init_counts' {n}", s, "iu").astype(np.int64) for n, a, s in zip(names, result, shapes)}


def _z(value, documents, what):
    if not isinstance(value, list) or len(value) != len(documents):
        raise TypeError(f"{what} must return a list with one list of topic ids per document")
    out = []
    for topics, words in zip(value, documents):
        topics = [int(k) for k in topics]
        if len(topics) != len(words):
            raise ValueError(f"{what}: a document of {len(words)} tokens got {len(topics)} topic ids")
        out.append(topics)
    return out


# ----------------------------------------------------------------- cases

@case
def counts(student, ctx):
    if ctx.visible:
        tiny = _tiny(ctx)
        documents, z, topics, vocab = tiny["documents"], tiny["z"], tiny["num_topics"], len(tiny["vocabulary"])
        ctx.show(documents=documents, z=z, num_topics=topics, vocab_size=vocab)
    else:
        rng = ctx.np_rng()
        documents, z = random_corpus(rng, 6, 15, 3)
        topics, vocab = 3, 15
    return {"documents": documents, "z": z, "num_topics": topics, "vocab_size": vocab,
            **_counts(student, documents, z, topics, vocab)}


@case
def sweep(student, ctx):
    if ctx.visible:
        return None
    rng = np.random.default_rng([ctx.seed, 59])
    topics, vocab, alpha, beta = 3, 12, 0.5, 0.1
    documents, z = random_corpus(rng, 5, vocab, topics)
    uniforms = rng.random(sum(len(d) for d in documents))
    doc_topic, topic_word, topic_total = counts_of(documents, z, topics, vocab)
    new_z = student.gibbs_sweep([list(d) for d in documents], [list(k) for k in z], doc_topic, topic_word,
                                topic_total, alpha, beta, uniforms.copy())
    return {"documents": documents, "z": z, "alpha": alpha, "beta": beta, "uniforms": uniforms, "num_topics": topics,
            "vocab_size": vocab, "new_z": _z(new_z, documents, "gibbs_sweep"), "doc_topic": doc_topic,
            "topic_word": topic_word, "topic_total": topic_total}


@case
def coherence(student, ctx):
    if ctx.visible:
        tiny = _tiny(ctx)
        documents, tops = tiny["documents"], tiny["top_words"]
        ctx.show(documents=documents, top_words=tops)
    else:
        rng = np.random.default_rng([ctx.seed, 5959])
        documents = [[int(w) for w in rng.integers(0, 20, rng.integers(3, 12))] for _ in range(25)]
        present = sorted({w for d in documents for w in d})
        tops = [[int(w) for w in rng.choice(present, size=rng.integers(2, 8), replace=False)] for _ in range(6)]
    scores = []
    for top in tops:
        value = student.umass_coherence(list(top), [list(d) for d in documents])
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"umass_coherence must return a float, got {type(value).__name__}")
        scores.append(float(value))
    return {"documents": documents, "top_words": tops, "scores": scores}


@case
def recovery(student, ctx):
    if ctx.visible:
        return None
    planted = _planted(ctx)
    documents, _, _ = planted.planted(f"hidden:{ctx.seed}")
    result = student.lda_gibbs([list(d) for d in documents], planted.TOPICS, planted.VOCABULARY,
                               alpha=ALPHA, beta=BETA, iterations=ITERATIONS, seed=ctx.seed)
    if not isinstance(result, tuple) or len(result) != 2:
        raise TypeError("lda_gibbs must return a tuple (phi, theta)")
    phi = _array(result[0], "phi", (planted.TOPICS, planted.VOCABULARY), "f").astype(np.float64)
    theta = _array(result[1], "theta", (len(documents), planted.TOPICS), "f").astype(np.float64)
    top = student.top_words(phi, 10)
    return {"phi": phi, "theta": theta, "top_words": [[int(w) for w in t] for t in top]}
