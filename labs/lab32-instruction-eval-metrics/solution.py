"""Lab 32 reference solution: exact match, token F1, BLEU and ROUGE-L for instruction-following outputs."""
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
    """Lower-case, drop punctuation, drop the articles a/an/the, collapse whitespace (the SQuAD script)."""
    text = text.lower()
    text = "".join(ch for ch in text if ch not in set(string.punctuation))
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def exact_match(prediction, reference):
    """1.0 if the normalised strings are equal, else 0.0."""
    return float(normalize_answer(prediction) == normalize_answer(reference))


def token_f1(prediction, reference):
    """Harmonic mean of token precision and recall over the normalised tokens (multiset overlap)."""
    pred_tokens = normalize_answer(prediction).split()
    ref_tokens = normalize_answer(reference).split()
    if not pred_tokens or not ref_tokens:
        return float(pred_tokens == ref_tokens)
    overlap = sum((Counter(pred_tokens) & Counter(ref_tokens)).values())
    if overlap == 0:
        return 0.0
    precision, recall = overlap / len(pred_tokens), overlap / len(ref_tokens)
    return 2 * precision * recall / (precision + recall)


# ----------------------------------------------------------------- BLEU

def ngram_counts(tokens, n):
    """Counter of the n-grams (tuples) of a token list."""
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def bleu_stats(hypothesis, reference):
    """(matches, totals, hyp_len, ref_len) for one pair: clipped n-gram matches and hypothesis n-gram counts
    for n = 1..4 (lists of 4 ints), and the two lengths in 13a tokens."""
    hyp, ref = tokenize_13a(hypothesis), tokenize_13a(reference)
    matches, totals = [], []
    for n in range(1, MAX_ORDER + 1):
        hyp_ngrams, ref_ngrams = ngram_counts(hyp, n), ngram_counts(ref, n)
        matches.append(sum(min(count, ref_ngrams[gram]) for gram, count in hyp_ngrams.items()))
        totals.append(max(len(hyp) - n + 1, 0))
    return matches, totals, len(hyp), len(ref)


def bleu_from_stats(matches, totals, hyp_len, ref_len, effective_order=False):
    """BLEU (0-100) from summed statistics, with sacrebleu's 'exp' smoothing."""
    if not any(matches):
        return 0.0
    brevity_penalty = 1.0 if hyp_len >= ref_len else (math.exp(1 - ref_len / hyp_len) if hyp_len else 0.0)
    log_precisions, smooth = [], 1.0
    for n in range(MAX_ORDER):
        if totals[n] == 0:
            if effective_order:
                break                        # only the orders the hypothesis is long enough for
            return 0.0                       # log(0): BLEU is 0
        if matches[n] == 0:
            smooth *= 2                      # 'exp' smoothing: 1/2, 1/4, ... for each order without a match
            log_precisions.append(math.log(100.0 / (smooth * totals[n])))
        else:
            log_precisions.append(math.log(100.0 * matches[n] / totals[n]))
    order = len(log_precisions) if effective_order else MAX_ORDER
    return brevity_penalty * math.exp(sum(log_precisions) / order)


def corpus_bleu(hypotheses, references):
    """Corpus BLEU (0-100): statistics summed over all pairs, then one score (sacrebleu.corpus_bleu)."""
    matches, totals, hyp_len, ref_len = [0] * MAX_ORDER, [0] * MAX_ORDER, 0, 0
    for hypothesis, reference in zip(hypotheses, references):
        m, t, h, r = bleu_stats(hypothesis, reference)
        matches = [a + b for a, b in zip(matches, m)]
        totals = [a + b for a, b in zip(totals, t)]
        hyp_len, ref_len = hyp_len + h, ref_len + r
    return bleu_from_stats(matches, totals, hyp_len, ref_len)


def sentence_bleu(hypothesis, reference):
    """Sentence BLEU (0-100) with 'exp' smoothing and effective order (sacrebleu.sentence_bleu)."""
    return bleu_from_stats(*bleu_stats(hypothesis, reference), effective_order=True)


# ----------------------------------------------------------------- ROUGE-L

def rouge_tokenize(text):
    """rouge-score's default tokenizer without stemming: lower-case runs of [a-z0-9]."""
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).split()


def lcs_length(a, b):
    """Length of the longest common subsequence of two token lists (dynamic programming, two rows)."""
    previous = [0] * (len(b) + 1)
    for token_a in a:
        current = [0]
        for j, token_b in enumerate(b):
            current.append(previous[j] + 1 if token_a == token_b else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def rouge_l(prediction, reference):
    """{'precision', 'recall', 'fmeasure'} of ROUGE-L: LCS / prediction length, LCS / reference length, F1."""
    pred, ref = rouge_tokenize(prediction), rouge_tokenize(reference)
    if not pred or not ref:
        return {"precision": 0.0, "recall": 0.0, "fmeasure": 0.0}
    lcs = lcs_length(ref, pred)
    precision, recall = lcs / len(pred), lcs / len(ref)
    fmeasure = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    return {"precision": precision, "recall": recall, "fmeasure": fmeasure}


# ----------------------------------------------------------------- the evaluation report

def evaluate_responses(predictions, references):
    """One report for a model's responses: mean exact match and token F1 (0-1), corpus BLEU (0-100) and mean
    ROUGE-L F-measure (0-1)."""
    n = len(predictions)
    return {"exact_match": sum(map(exact_match, predictions, references)) / n,
            "token_f1": sum(map(token_f1, predictions, references)) / n,
            "bleu": corpus_bleu(predictions, references),
            "rouge_l": sum(rouge_l(p, r)["fmeasure"] for p, r in zip(predictions, references)) / n}
