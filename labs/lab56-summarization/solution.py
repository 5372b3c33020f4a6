"""Lab 56 reference solution: a summarisation engine (TextRank, ROUGE, greedy decoding with a tiny T5)."""
from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np
import torch

PREFIX = "summarize: "


# ---------------------------------------------------------------- extractive: TextRank

def tokenize(text):
    """Lower-cased runs of letters and digits (ROUGE's own tokenisation)."""
    return re.findall(r"[a-z0-9]+", text.lower())


def sentence_similarity(a, b):
    """TextRank's overlap: distinct shared words / (ln |a| + ln |b|); 0 when undefined."""
    if not a or not b:
        return 0.0
    denominator = math.log(len(a)) + math.log(len(b))
    if denominator <= 0:
        return 0.0
    return len(set(a) & set(b)) / denominator


def textrank_scores(sentences, damping=0.85, tol=1e-10, max_iter=1000):
    """Weighted PageRank over the sentence-similarity graph; returns float64 scores summing to 1."""
    n = len(sentences)
    weights = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            if i != j:
                weights[i, j] = sentence_similarity(sentences[i], sentences[j])
    out = weights.sum(axis=1, keepdims=True)
    transition = np.where(out > 0, weights / np.where(out > 0, out, 1.0), 1.0 / n)
    scores = np.full(n, 1.0 / n)
    for _ in range(max_iter):
        new = (1 - damping) / n + damping * transition.T @ scores
        done = np.abs(new - scores).sum() < tol
        scores = new
        if done:
            break
    return scores


def extractive_summary(sentences, k, stopwords):
    """The k best-scored sentences (ties: earlier first), in document order."""
    tokens = [[w for w in tokenize(s) if w not in stopwords] for s in sentences]
    scores = textrank_scores(tokens)
    best = sorted(range(len(sentences)), key=lambda i: (-scores[i], i))[:k]
    return [sentences[i] for i in sorted(best)]


# ---------------------------------------------------------------- ROUGE

def _prf(overlap, n_candidate, n_reference):
    precision = overlap / n_candidate if n_candidate else 0.0
    recall = overlap / n_reference if n_reference else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def rouge_n(candidate, reference, n):
    """ROUGE-N with clipped n-gram counts."""
    c, r = tokenize(candidate), tokenize(reference)
    c_grams = Counter(tuple(c[i:i + n]) for i in range(len(c) - n + 1))
    r_grams = Counter(tuple(r[i:i + n]) for i in range(len(r) - n + 1))
    overlap = sum(min(count, r_grams[g]) for g, count in c_grams.items())
    return _prf(overlap, sum(c_grams.values()), sum(r_grams.values()))


def lcs_length(a, b):
    """Length of the longest common subsequence (dynamic programming, O(len(a) * len(b)))."""
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b):
            current.append(previous[j] + 1 if x == y else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def rouge_l(candidate, reference):
    """ROUGE-L: precision and recall of the LCS, F1 their harmonic mean."""
    c, r = tokenize(candidate), tokenize(reference)
    return _prf(lcs_length(c, r), len(c), len(r))


# ---------------------------------------------------------------- abstractive: greedy decoding

@torch.no_grad()
def greedy_summarize(model, tokenizer, documents, max_new_tokens=12):
    """Encode PREFIX + document once, then add the argmax token to every sequence step by step, starting
    from the decoder start token, until each has produced </s> or max_new_tokens tokens."""
    model.eval()
    batch = tokenizer([PREFIX + d for d in documents], padding=True, return_tensors="pt")
    encoder_out = model.get_encoder()(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"])
    start = model.config.decoder_start_token_id
    eos, pad = tokenizer.eos_token_id, tokenizer.pad_token_id
    decoded = torch.full((len(documents), 1), start, dtype=torch.long)
    finished = torch.zeros(len(documents), dtype=torch.bool)
    for _ in range(max_new_tokens):
        logits = model(encoder_outputs=encoder_out, attention_mask=batch["attention_mask"],
                       decoder_input_ids=decoded).logits[:, -1, :]
        next_token = logits.argmax(dim=-1)
        next_token = torch.where(finished, torch.full_like(next_token, pad), next_token)
        decoded = torch.cat([decoded, next_token[:, None]], dim=1)
        finished |= next_token == eos
        if finished.all():
            break
    return [text.strip() for text in tokenizer.batch_decode(decoded, skip_special_tokens=True)]
