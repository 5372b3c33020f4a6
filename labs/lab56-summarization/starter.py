"""Lab 56: a summarisation engine. Submit this file as summarize.py.

Part 1, extractive: TextRank picks the most central sentences of an article (numpy only).
Part 2, evaluation: ROUGE-1, ROUGE-2 and ROUGE-L, written from scratch (rouge-score is not importable).
Part 3, abstractive: headlines from a tiny pre-trained T5 with a greedy decoding loop you write yourself
(model.generate is switched off). Nothing is downloaded.
"""
from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np
import torch

PREFIX = "summarize: "      # the task prefix the T5 was pre-trained with


# ---------------------------------------------------------------- Part 1: TextRank

def tokenize(text):
    """Lower-cased runs of letters and digits: 'The Mayor, 2x!' -> ['the', 'mayor', '2x']."""
    return re.findall(r"[a-z0-9]+", text.lower())


def sentence_similarity(a, b):
    """a, b: lists of words. Return float: (number of DISTINCT words in both) / (ln len(a) + ln len(b)).
    Return 0.0 when a or b is empty or when the denominator is 0 (both have one word)."""
    raise NotImplementedError("sentence_similarity")


def textrank_scores(sentences, damping=0.85, tol=1e-10, max_iter=1000):
    """sentences: list of n word lists. Return float64 array (n,), summing to 1.

    W[i, j] = sentence_similarity(sentences[i], sentences[j]) for i != j, W[i, i] = 0.
    M = W with each row divided by its sum; a row that sums to 0 becomes 1/n everywhere.
    Start from s = 1/n and repeat s <- (1 - damping) / n + damping * M.T @ s until the L1 change < tol.
    """
    raise NotImplementedError("textrank_scores")


def extractive_summary(sentences, k, stopwords):
    """sentences: list of str. Tokenise each, drop the stopwords, score with TextRank and return the k
    best-scored sentences (ties: the earlier sentence first) as a list of str in DOCUMENT order."""
    raise NotImplementedError("extractive_summary")


# ---------------------------------------------------------------- Part 2: ROUGE

def rouge_n(candidate, reference, n):
    """candidate, reference: str. Return {'precision': float, 'recall': float, 'f1': float}.
    overlap = sum over the candidate's n-grams of min(count in candidate, count in reference);
    precision = overlap / number of candidate n-grams, recall = overlap / number of reference n-grams
    (0 when there are none), f1 = 2PR / (P + R) (0 when P + R = 0)."""
    raise NotImplementedError("rouge_n")


def lcs_length(a, b):
    """Length of the longest common subsequence of two token lists (dynamic programming)."""
    raise NotImplementedError("lcs_length")


def rouge_l(candidate, reference):
    """Like rouge_n, with overlap = lcs_length(candidate tokens, reference tokens)."""
    raise NotImplementedError("rouge_l")


# ---------------------------------------------------------------- Part 3: greedy decoding with T5

@torch.no_grad()
def greedy_summarize(model, tokenizer, documents, max_new_tokens=12):
    """documents: list of str. Return one stripped str per document (special tokens removed).

    Tokenise PREFIX + document for the whole batch (padding=True), run model.get_encoder() ONCE, then
    start every sequence from model.config.decoder_start_token_id and repeat max_new_tokens times: run the
    model with encoder_outputs=..., attention_mask=..., decoder_input_ids=<tokens so far>, take the argmax
    of the last position's logits, append it. A sequence that has produced </s> gets <pad> from then on;
    stop early when all have finished. Decode with tokenizer.batch_decode(..., skip_special_tokens=True).
    """
    raise NotImplementedError("greedy_summarize")
