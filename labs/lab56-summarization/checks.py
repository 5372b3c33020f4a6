"""Lab 56 checks (outside the sandbox). The articles and ROUGE pairs are drawn again here from the seed
(data/news.py); TextRank is recomputed independently (PageRank solved as a linear system); ROUGE comes from
the rouge-score package; the headlines the T5 summaries are scored against never enter the sandbox."""
from __future__ import annotations

import importlib.util
import math
import re
import sys

import numpy as np
from rouge_score import rouge_scorer

from labkit.checks import Verdict, describe

STOPWORDS = frozenset("the of a on in was is to said will did not".split())
VISIBLE_ROUGE = [("The mayor opens the new bridge, the bridge!", "mayor opens bridge in riverton"),
                 ("school closes park in ashby", "school closes park in ashby"),
                 ("sunny and cold", "club sells tower in elmira")]
N_ABSTRACTIVE = 6
MIN_ABSTRACTIVE_ROUGE_L = 0.8      # the reference's greedy headlines score ~1.0; a lead sentence ~0.3
DAMPING = 0.85
SCORE_ATOL = 1e-7
_SCORER = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=False)


def _news(lab_dir):
    name = "lab56_news_checks"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, lab_dir / "data" / "news.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules[name] = module
    return sys.modules[name]


def _content_words(sentence):
    return [w for w in re.findall(r"[a-z0-9]+", sentence.lower()) if w not in STOPWORDS]


def expected_similarity(tokens):
    n = len(tokens)
    sim = np.zeros((n, n))
    for i, a in enumerate(tokens):
        for j, b in enumerate(tokens):
            if a and b and len(a) * len(b) > 1:
                sim[i, j] = len(set(a) & set(b)) / (math.log(len(a)) + math.log(len(b)))
    return sim


def expected_scores(tokens):
    """PageRank on the similarity graph, solved exactly: (I - d M^T) s = (1 - d) / n."""
    n = len(tokens)
    weights = expected_similarity(tokens)
    np.fill_diagonal(weights, 0.0)
    transition = np.empty((n, n))
    for i in range(n):
        total = weights[i].sum()
        transition[i] = weights[i] / total if total > 0 else 1.0 / n
    return np.linalg.solve(np.eye(n) - DAMPING * transition.T, np.full(n, (1 - DAMPING) / n))


def _textrank_documents(ctx):
    news = _news(ctx.lab_dir)
    if ctx.visible:
        return [news.articles("visible-textrank", 1, n_fillers=5)[0][0]]
    docs = [s for s, _ in news.articles(f"textrank:{ctx.seed}", 2, n_fillers=6)]
    docs[1] = docs[1] + ["hello world ."]
    return docs


def check_textrank(got, expected, ctx):
    documents = _textrank_documents(ctx)
    if not isinstance(got, list) or len(got) != len(documents):
        return Verdict(False, "textrank produced nothing usable")
    for d, (sentences, item) in enumerate(zip(documents, got)):
        tokens = [_content_words(s) for s in sentences]
        if item["tokens"] != tokens:
            i = next(i for i, (a, b) in enumerate(zip(item["tokens"], tokens)) if a != b)
            return Verdict(False, f"tokenize({sentences[i]!r}) gives {item['tokens'][i]} (stop words removed): "
                                  f"expected {tokens[i]}. Lower-case, keep runs of letters and digits only.",
                           describe(tokens[i]), describe(item["tokens"][i]))
        sim, want = np.asarray(item["similarity"], dtype=float), expected_similarity(tokens)
        if sim.shape == want.shape:                      # the diagonal is never used: no self-loops
            np.fill_diagonal(sim, 0.0)
            np.fill_diagonal(want, 0.0)
        if sim.shape != want.shape or not np.allclose(sim, want, rtol=1e-9, atol=1e-9):
            i, j = np.unravel_index(np.argmax(np.abs(sim - want)), want.shape) if sim.shape == want.shape else (0, 0)
            message = (f"document {d}: sentence_similarity of sentences {i} and {j} is {sim[i, j]:.6g}, expected "
                       f"{want[i, j]:.6g}. ")
            shared = len(set(tokens[i]) & set(tokens[j]))
            if sim[i, j] == shared:
                message += "Divide the shared-word count by ln|a| + ln|b| (long sentences share words by chance)."
            else:
                message += ("Count DISTINCT shared words; |a| and |b| are the token counts; return 0 when a "
                            "sentence is empty or both have one word.")
            return Verdict(False, message, describe(want), describe(sim))
        scores, want = np.asarray(item["scores"], dtype=float), expected_scores(tokens)
        if not np.allclose(scores, want, rtol=0, atol=SCORE_ATOL):
            total = scores.sum()
            if abs(total - 1) > 1e-6:
                message = (f"document {d}: the scores sum to {total:.4g}, not 1. Start from 1/n, use (1 - d) / n "
                           "as the teleport term, and give a sentence without edges a uniform row 1/n.")
            else:
                i = int(np.argmax(np.abs(scores - want)))
                message = (f"document {d}: score of sentence {i} is {scores[i]:.6f}, expected {want[i]:.6f}. "
                           "Normalise each row of the weight matrix by its sum (out-weight) and iterate "
                           "s = (1 - d) / n + d * M^T s until the L1 change is below tol.")
            return Verdict(False, message, describe(want), describe(scores))
    return Verdict(True)


def check_extractive(got, expected, ctx):
    news = _news(ctx.lab_dir)
    name = "visible-extractive" if ctx.visible else f"extractive:{ctx.seed}"
    documents = [s for s, _ in news.articles(name, 2 if ctx.visible else 5, n_fillers=6)]
    ks = [2, 3, 2, 3, 2][:len(documents)]
    if not isinstance(got, dict) or len(got.get("summaries") or []) != len(documents):
        return Verdict(False, "extractive_summary produced nothing usable")
    for d, (sentences, k, summary) in enumerate(zip(documents, ks, got["summaries"])):
        if len(summary) != k:
            return Verdict(False, f"document {d}: {len(summary)} sentences returned where k = {k}")
        if any(s not in sentences for s in summary):
            return Verdict(False, f"document {d}: the summary holds a sentence that is not in the document: return "
                                  "the document's sentences unchanged")
        positions = [sentences.index(s) for s in summary]
        if len(set(positions)) != k:
            return Verdict(False, f"document {d}: a sentence is returned twice")
        if positions != sorted(positions):
            return Verdict(False, f"document {d}: sentences returned in positions {positions}: return them in "
                                  "document order, not in score order")
        scores = expected_scores([_content_words(s) for s in sentences])
        cut = sorted(scores, reverse=True)[k - 1]
        weak = [i for i in positions if scores[i] < cut - 1e-9]
        if weak:
            best = sorted(range(len(sentences)), key=lambda i: (-scores[i], i))[:k]
            return Verdict(False, f"document {d}: sentence {weak[0]} (TextRank score {scores[weak[0]]:.4f}) is not "
                                  f"among the {k} best; expected positions {sorted(best)}",
                           describe(sorted(best)), describe(positions))
    return Verdict(True)


def _pairs(ctx):
    return VISIBLE_ROUGE if ctx.visible else _news(ctx.lab_dir).rouge_pairs(f"rouge:{ctx.seed}", 12)


def check_rouge(got, expected, ctx):
    pairs = _pairs(ctx)
    if not isinstance(got, dict) or any(len(got.get(k) or []) != len(pairs) for k in ("rouge1", "rouge2", "rougeL")):
        return Verdict(False, "rouge produced nothing usable")
    for i, (candidate, reference) in enumerate(pairs):
        want = _SCORER.score(reference, candidate)       # rouge-score takes (target, prediction)
        for key in ("rouge1", "rouge2", "rougeL"):
            w = want[key]
            w = {"precision": w.precision, "recall": w.recall, "f1": w.fmeasure}
            have = got[key][i]
            for field in ("precision", "recall", "f1"):
                if not math.isclose(have[field], w[field], rel_tol=1e-9, abs_tol=1e-9):
                    hint = {"rouge1": "clip each word's count at its count in the reference",
                            "rouge2": "count bigrams of consecutive tokens, clipped by the reference's bigram counts",
                            "rougeL": "LCS length over the candidate's length (precision) and the reference's (recall)"}
                    if field == "f1":
                        hint[key] = "F1 = 2PR / (P + R), and 0 when P + R = 0"
                    return Verdict(False, f"pair {i} ({candidate!r} vs {reference!r}): {key} {field} = "
                                          f"{have[field]:.6g}, expected {w[field]:.6g}: {hint[key]}. Tokenise both "
                                          "texts the same way (lower case, letters and digits).",
                                   describe(w), describe(have))
    return Verdict(True)


def check_abstractive(got, expected, ctx):
    if not isinstance(got, dict) or not isinstance(got.get("summaries"), list):
        return Verdict(False, "greedy_summarize produced nothing usable")
    have, want = got["summaries"], expected["summaries"]
    if have == want:
        return Verdict(True)
    i = next(i for i, (a, b) in enumerate(zip(have, want)) if a != b)
    message = f"summary {i}: expected {want[i]!r}, got {have[i]!r}"
    if "<pad>" in have[i] or "</s>" in have[i]:
        message += ". Decode with skip_special_tokens=True"
    elif have[i].startswith(want[i]) and len(have[i]) > len(want[i]):
        message += ". Stop a sequence once it has produced </s>, and pad it after that"
    else:
        message += (". Start the decoder from model.config.decoder_start_token_id, prefix each document with "
                    "'summarize: ', pass the encoder's attention mask, and take the argmax of the last position")
    return Verdict(False, message, describe(want), describe(have))


def check_abstractive_rouge(got, expected, ctx):
    if not isinstance(got, dict) or not isinstance(got.get("summaries"), list) or \
            len(got["summaries"]) != N_ABSTRACTIVE:
        return Verdict(False, "greedy_summarize produced nothing usable")
    headlines = [h for _, h in _news(ctx.lab_dir).articles(f"abstractive:{ctx.seed}", N_ABSTRACTIVE)]
    scores = [_SCORER.score(h, s)["rougeL"].fmeasure for h, s in zip(headlines, got["summaries"])]
    mean = sum(scores) / len(scores)
    if mean < MIN_ABSTRACTIVE_ROUGE_L:
        return Verdict(False, f"mean ROUGE-L F1 of the summaries against the held-out headlines is {mean:.3f}, below "
                              f"{MIN_ABSTRACTIVE_ROUGE_L}: the summaries must come from the model's greedy decoding")
    return Verdict(True)
