"""Lab 56 harness (runs inside the sandbox): TextRank scores and extractive summaries of toy news articles,
ROUGE on (candidate, reference) pairs, and greedy headlines from the tiny pre-trained T5 of
build_artifacts.py. The articles' true headlines are never returned: checks.py draws them again from the
seed outside the sandbox, and recomputes ROUGE with the rouge-score package."""
from __future__ import annotations

import importlib.abc
import importlib.util
import numbers
import sys

import numpy as np

from labkit.harness import case

BLOCKED_LIBRARIES = ("rouge_score", "rouge", "evaluate", "sumy", "summa", "pytextrank")
STOPWORDS = frozenset("the of a on in was is to said will did not".split())
VISIBLE_ROUGE = [("The mayor opens the new bridge, the bridge!", "mayor opens bridge in riverton"),
                 ("school closes park in ashby", "school closes park in ashby"),
                 ("sunny and cold", "club sells tower in elmira")]
N_ABSTRACTIVE = 6


class _BlockLibraries(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".")[0] in BLOCKED_LIBRARIES:
            raise ImportError(f"{fullname} is not available in this lab: write TextRank and ROUGE yourself")
        return None


sys.meta_path.insert(0, _BlockLibraries())


def _news(ctx):
    name = "lab56_news"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ctx.data_dir / "news.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules[name] = module
    return sys.modules[name]


def _float(value, what):
    if hasattr(value, "item") and getattr(value, "size", 1) == 1 and not isinstance(value, (list, tuple)):
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{what} must return a float, got {type(value).__name__}")
    return float(value)


def _tokens(student, text):
    tokens = student.tokenize(text)
    if not isinstance(tokens, list) or not all(isinstance(t, str) for t in tokens):
        raise TypeError("tokenize must return a list of str")
    return tokens


def textrank_documents(ctx):
    news = _news(ctx)
    if ctx.visible:
        return [news.articles("visible-textrank", 1, n_fillers=5)[0][0]]
    docs = [s for s, _ in news.articles(f"textrank:{ctx.seed}", 2, n_fillers=6)]
    # a sentence that shares no content word with the others: a node without edges
    docs[1] = docs[1] + ["hello world ."]
    return docs


@case
def textrank(student, ctx):
    documents = textrank_documents(ctx)
    if ctx.visible:
        ctx.show(sentences=documents[0], stopwords=sorted(STOPWORDS))
    result = []
    for sentences in documents:
        tokens = [[w for w in _tokens(student, s) if w not in STOPWORDS] for s in sentences]
        n = len(tokens)
        similarity = np.array([[_float(student.sentence_similarity(list(a), list(b)), "sentence_similarity")
                                for b in tokens] for a in tokens])
        scores = student.textrank_scores([list(t) for t in tokens])
        if not isinstance(scores, np.ndarray):
            raise TypeError(f"textrank_scores must return a numpy array, got {type(scores).__name__}")
        if scores.shape != (n,):
            raise ValueError(f"textrank_scores returned shape {scores.shape} for {n} sentences; expected ({n},)")
        if scores.dtype.kind != "f":
            raise TypeError(f"textrank_scores returned dtype {scores.dtype}; expected float64")
        result.append({"tokens": tokens, "similarity": similarity, "scores": scores.astype(np.float64)})
    return result


@case
def extractive(student, ctx):
    news = _news(ctx)
    name = "visible-extractive" if ctx.visible else f"extractive:{ctx.seed}"
    documents = [s for s, _ in news.articles(name, 2 if ctx.visible else 5, n_fillers=6)]
    ks = [2, 3, 2, 3, 2][:len(documents)]
    if ctx.visible:
        ctx.show(documents=documents, k=ks)
    out = []
    for sentences, k in zip(documents, ks):
        summary = student.extractive_summary(list(sentences), k, set(STOPWORDS))
        if not isinstance(summary, list) or not all(isinstance(s, str) for s in summary):
            raise TypeError("extractive_summary must return a list of str (sentences of the document)")
        out.append(summary)
    return {"documents": documents, "k": ks, "summaries": out}


@case
def rouge(student, ctx):
    pairs = VISIBLE_ROUGE if ctx.visible else _news(ctx).rouge_pairs(f"rouge:{ctx.seed}", 12)
    if ctx.visible:
        ctx.show(pairs=[list(p) for p in pairs])
    out = {"pairs": [list(p) for p in pairs], "rouge1": [], "rouge2": [], "rougeL": []}
    for candidate, reference in pairs:
        for key, value in (("rouge1", student.rouge_n(candidate, reference, 1)),
                           ("rouge2", student.rouge_n(candidate, reference, 2)),
                           ("rougeL", student.rouge_l(candidate, reference))):
            if not isinstance(value, dict) or set(value) != {"precision", "recall", "f1"}:
                raise TypeError(f"{'rouge_l' if key == 'rougeL' else 'rouge_n'} must return a dict with exactly the "
                                "keys 'precision', 'recall' and 'f1'")
            out[key].append({k: _float(v, key) for k, v in value.items()})
    return out


def _no_generate(*args, **kwargs):
    raise RuntimeError("model.generate is switched off in this lab: write the greedy decoding loop yourself")


@case
def abstractive(student, ctx):
    import torch
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    folder = str(ctx.artifacts_dir / "t5-tiny")
    model = AutoModelForSeq2SeqLM.from_pretrained(folder).eval()
    tokenizer = AutoTokenizer.from_pretrained(folder)
    model.generate = _no_generate
    news = _news(ctx)
    name = "visible-abstractive" if ctx.visible else f"abstractive:{ctx.seed}"
    documents = [" ".join(s) for s, _ in news.articles(name, 2 if ctx.visible else N_ABSTRACTIVE)]
    if ctx.visible:
        ctx.show(documents=documents, max_new_tokens=12)
    with torch.no_grad():
        out = student.greedy_summarize(model, tokenizer, list(documents), max_new_tokens=12)
    if not isinstance(out, list) or len(out) != len(documents) or not all(isinstance(t, str) for t in out):
        raise TypeError(f"greedy_summarize must return a list of {len(documents)} str, one per document")
    return {"documents": documents, "summaries": out}
