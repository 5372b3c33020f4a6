"""Lab 32: evaluating an instruction-tuned model with exact match, token F1, BLEU and ROUGE-L.

Fill in every function marked TODO and submit this file as text_metrics.py. Plain Python only (re, string,
collections, math): sacrebleu, rouge_score, nltk and evaluate are not importable in this lab.
tokenize_13a is provided: keep it as it is.
"""
from __future__ import annotations

import math
import re
import string
from collections import Counter

MAX_ORDER = 4


# ----------------------------------------------------------------- provided: the 13a tokenizer (do not change)

_13A_RULES = [
    (re.compile(r"([\{-\~\[-\` -\&\(-\+\:-\@\/])"), r" \1 "),   # split off most punctuation
    (re.compile(r"([^0-9])([\.,])"), r"\1 \2 "),                 # period/comma unless preceded by a digit
    (re.compile(r"([\.,])([^0-9])"), r" \1 \2"),                 # period/comma unless followed by a digit
    (re.compile(r"([0-9])(-)"), r"\1 \2 "),                      # dash after a digit
]


def tokenize_13a(text):
    """mteval-v13a tokenization, as sacrebleu's default tokenizer: a list of tokens."""
    text = text.rstrip().replace("<skipped>", "").replace("-\n", "").replace("\n", " ")
    if "&" in text:
        text = text.replace("&quot;", '"').replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    text = f" {text} "
    for pattern, replacement in _13A_RULES:
        text = pattern.sub(replacement, text)
    return text.split()


# ----------------------------------------------------------------- SQuAD-style exact match and token F1

def normalize_answer(text):
    """Lower-case, remove punctuation (string.punctuation), remove the articles a/an/the (whole words),
    collapse whitespace to single spaces. Returns a str."""
    raise NotImplementedError("normalize_answer")


def exact_match(prediction, reference):
    """1.0 if the normalised strings are equal, else 0.0."""
    raise NotImplementedError("exact_match")


def token_f1(prediction, reference):
    """F1 of the normalised tokens (whitespace split), overlap counted as a multiset. If either side has no
    tokens: 1.0 if both are empty, else 0.0. Returns a float."""
    raise NotImplementedError("token_f1")


# ----------------------------------------------------------------- BLEU

def ngram_counts(tokens, n):
    """Counter of the n-grams (tuples of n tokens) of a token list."""
    raise NotImplementedError("ngram_counts")


def bleu_stats(hypothesis, reference):
    """Sufficient statistics of one pair, on 13a tokens: (matches, totals, hyp_len, ref_len).

    matches[n-1]: hypothesis n-grams that also occur in the reference, each clipped to its reference count;
    totals[n-1]: number of n-grams in the hypothesis (n = 1..4); hyp_len, ref_len: numbers of tokens."""
    raise NotImplementedError("bleu_stats")


def corpus_bleu(hypotheses, references):
    """Corpus BLEU in 0-100 like sacrebleu.corpus_bleu(hypotheses, [references]): sum the statistics over all
    pairs, then brevity penalty * exp(mean over n = 1..4 of log precision_n), precisions in percent, with
    'exp' smoothing for orders without a match and no effective order."""
    # TODO: if no n-gram matched at all, BLEU is 0
    # TODO: brevity penalty: 1 if hyp_len >= ref_len else exp(1 - ref_len / hyp_len) (0 if hyp_len is 0)
    # TODO: 'exp' smoothing: the k-th order with 0 matches gets precision 100 / (2**k * totals[n-1])
    raise NotImplementedError("corpus_bleu")


def sentence_bleu(hypothesis, reference):
    """Sentence BLEU in 0-100 like sacrebleu.sentence_bleu(hypothesis, [reference]): the same as corpus_bleu
    on one pair, but with the effective order (average only over the orders n the hypothesis has n-grams of)."""
    raise NotImplementedError("sentence_bleu")


# ----------------------------------------------------------------- ROUGE-L

def rouge_tokenize(text):
    """rouge-score's tokenizer (no stemming): lower-case, every run of characters outside [a-z0-9] is a
    separator. Returns a list of tokens."""
    raise NotImplementedError("rouge_tokenize")


def lcs_length(a, b):
    """Length of the longest common subsequence of two token lists."""
    raise NotImplementedError("lcs_length")


def rouge_l(prediction, reference):
    """ROUGE-L as rouge_score.RougeScorer(['rougeL']).score(reference, prediction)['rougeL']:
    a dict {'precision': LCS / len(prediction), 'recall': LCS / len(reference), 'fmeasure': their F1};
    all three 0.0 if either side has no tokens."""
    raise NotImplementedError("rouge_l")


# ----------------------------------------------------------------- the evaluation report

def evaluate_responses(predictions, references):
    """Score a model's responses: {'exact_match': mean EM (0-1), 'token_f1': mean F1 (0-1),
    'bleu': corpus BLEU (0-100), 'rouge_l': mean ROUGE-L F-measure (0-1)}."""
    raise NotImplementedError("evaluate_responses")
