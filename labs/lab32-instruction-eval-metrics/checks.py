"""Lab 32 checks (outside the sandbox). Expected scores come from the libraries themselves, run here on
the inputs recorded by the reference run: sacrebleu (corpus_bleu, sentence_bleu and its statistics, default
settings), rouge-score (RougeScorer(['rougeL']), no stemming) and the SQuAD v2.0 evaluation script's
normalisation, exact match and F1 (reproduced below, as it is not a package)."""
from __future__ import annotations

import math
import re
import string
from collections import Counter

import sacrebleu
from rouge_score import rouge_scorer
from sacrebleu.metrics import BLEU
from sacrebleu.tokenizers.tokenizer_13a import Tokenizer13a

from labkit.checks import Verdict

TOL = dict(rel_tol=1e-9, abs_tol=1e-9)
ROUGE = rouge_scorer.RougeScorer(["rougeL"])
TOKENIZE_13A = Tokenizer13a()


# ----------------------------------------------------------------- the official SQuAD logic

def squad_normalize(s):
    def remove_articles(text):
        return re.sub(re.compile(r"\b(a|an|the)\b", re.UNICODE), " ", text)

    def remove_punc(text):
        exclude = set(string.punctuation)
        return "".join(ch for ch in text if ch not in exclude)

    return " ".join(remove_articles(remove_punc(s.lower())).split())


def squad_exact(prediction, reference):
    return float(squad_normalize(prediction) == squad_normalize(reference))


def squad_f1(prediction, reference, overlap=lambda p, g: sum((Counter(p) & Counter(g)).values())):
    pred_toks, gold_toks = squad_normalize(prediction).split(), squad_normalize(reference).split()
    if len(pred_toks) == 0 or len(gold_toks) == 0:
        return float(pred_toks == gold_toks)
    num_same = overlap(pred_toks, gold_toks)
    if num_same == 0:
        return 0.0
    precision, recall = num_same / len(pred_toks), num_same / len(gold_toks)
    return 2 * precision * recall / (precision + recall)


# ----------------------------------------------------------------- helpers

def _close(a, b):
    return isinstance(a, (int, float)) and math.isclose(a, b, **TOL)


def _first_mismatch(values, wants):
    if len(values) != len(wants):
        return None, f"{len(values)} values for {len(wants)} inputs"
    for i, (have, want) in enumerate(zip(values, wants)):
        if not _close(have, want):
            return i, None
    return -1, None


def _pair_text(pair):
    prediction, reference = pair
    return f"prediction {prediction!r}, reference {reference!r}"


def _compare_per_pair(name, values, wants, pairs, diagnose=None):
    index, problem = _first_mismatch(values, wants)
    if problem:
        return Verdict(False, f"{name}: {problem}")
    if index < 0:
        return Verdict(True)
    extra = diagnose(index) if diagnose else ""
    return Verdict(False, f"{name} for {_pair_text(pairs[index])} is {values[index]!r} where {wants[index]!r} was "
                          f"expected.{extra}", repr(wants[index]), repr(values[index]))


# ----------------------------------------------------------------- SQuAD checks

def _diagnose_f1(pairs, values):
    def explain(i):
        prediction, reference = pairs[i]
        as_sets = squad_f1(prediction, reference, overlap=lambda p, g: len(set(p) & set(g)))
        if _close(values[i], as_sets):
            return (" Your value counts the overlap as a set of distinct words; count it as a multiset "
                    "(Counter(pred) & Counter(ref)), so a word repeated in both counts each time.")
        raw = squad_f1_raw(prediction, reference)
        if _close(values[i], raw):
            return " Normalise both strings (normalize_answer) before splitting them into tokens."
        return ""
    return explain


def squad_f1_raw(prediction, reference):
    pred_toks, gold_toks = prediction.split(), reference.split()
    if not pred_toks or not gold_toks:
        return float(pred_toks == gold_toks)
    same = sum((Counter(pred_toks) & Counter(gold_toks)).values())
    if same == 0:
        return 0.0
    p, r = same / len(pred_toks), same / len(gold_toks)
    return 2 * p * r / (p + r)


def _compare_normalized(texts, normalized):
    for text, have in zip(texts, normalized):
        want = squad_normalize(text)
        if have != want:
            return Verdict(False, f"normalize_answer({text!r}) is {have!r} where {want!r} was expected: lower-case, "
                                  "remove every character of string.punctuation, replace the whole words a/an/the "
                                  "by a space, then join the words with single spaces", repr(want), repr(have))
    return Verdict(True)


def check_squad(got, expected, ctx):
    pairs = expected["pairs"]
    verdict = _compare_normalized([p for p, _ in pairs], got["normalized"])
    if not verdict.passed:
        return verdict
    verdict = _compare_per_pair("exact_match", got["em"], [squad_exact(p, r) for p, r in pairs], pairs)
    if not verdict.passed:
        return verdict
    return _compare_per_pair("token_f1", got["f1"], [squad_f1(p, r) for p, r in pairs], pairs,
                             _diagnose_f1(pairs, got["f1"]))


def check_normalize(got, expected, ctx):
    return _compare_normalized(expected["texts"], got["normalized"])


def check_exact_match(got, expected, ctx):
    pairs = expected["pairs"]
    return _compare_per_pair("exact_match", got["em"], [squad_exact(p, r) for p, r in pairs], pairs)


def check_token_f1(got, expected, ctx):
    pairs = expected["pairs"]
    return _compare_per_pair("token_f1", got["f1"], [squad_f1(p, r) for p, r in pairs], pairs,
                             _diagnose_f1(pairs, got["f1"]))


# ----------------------------------------------------------------- BLEU checks

def sacrebleu_stats(hypothesis, reference):
    score = BLEU().corpus_score([hypothesis], [[reference]])
    return {"matches": list(score.counts), "totals": list(score.totals), "hyp_len": score.sys_len,
            "ref_len": score.ref_len}


def _bleu_from_stats(matches, totals, hyp_len, ref_len, brevity=True):
    return BLEU.compute_bleu(list(matches), list(totals), hyp_len if brevity else max(hyp_len, ref_len),
                             ref_len, smooth_method="exp").score


def _unclipped_corpus_bleu(hyps, refs):
    matches, totals, hyp_len, ref_len = [0] * 4, [0] * 4, 0, 0
    for hyp, ref in zip(hyps, refs):
        h, r = TOKENIZE_13A(hyp.rstrip()).split(), TOKENIZE_13A(ref.rstrip()).split()
        for n in range(1, 5):
            ref_grams = {tuple(r[i:i + n]) for i in range(len(r) - n + 1)}
            grams = [tuple(h[i:i + n]) for i in range(len(h) - n + 1)]
            matches[n - 1] += sum(g in ref_grams for g in grams)
            totals[n - 1] += len(grams)
        hyp_len, ref_len = hyp_len + len(h), ref_len + len(r)
    return _bleu_from_stats(matches, totals, hyp_len, ref_len)


def _diagnose_corpus(pairs, value):
    hyps, refs = [h for h, _ in pairs], [r for _, r in pairs]
    stats = [sacrebleu_stats(h, r) for h, r in pairs]
    summed = {k: [sum(s[k][n] for s in stats) for n in range(4)] for k in ("matches", "totals")}
    hyp_len, ref_len = sum(s["hyp_len"] for s in stats), sum(s["ref_len"] for s in stats)
    variants = {
        "the mean of the sentence BLEU scores: corpus BLEU sums the n-gram statistics and lengths over all pairs "
        "first and computes ONE score from the sums":
            sum(sacrebleu.sentence_bleu(h, [r]).score for h, r in pairs) / len(pairs),
        "BLEU without the brevity penalty: multiply by exp(1 - ref_len / hyp_len) when the hypotheses are "
        "shorter": _bleu_from_stats(summed["matches"], summed["totals"], hyp_len, ref_len, brevity=False),
        "BLEU with unclipped matches: a hypothesis n-gram may match at most as many times as it occurs in the "
        "reference (min(count_hyp, count_ref))": _unclipped_corpus_bleu(hyps, refs),
    }
    for description, candidate in variants.items():
        if _close(value, candidate):
            return f" Your value equals {description}."
    return ""


def check_corpus_bleu(got, expected, ctx):
    for name, corpus in expected.items():
        if name == "sentences":
            continue
        pairs = corpus["pairs"]
        want = sacrebleu.corpus_bleu([h for h, _ in pairs], [[r for _, r in pairs]]).score
        have = got[name]["bleu"]
        if not _close(have, want):
            return Verdict(False, f"corpus_bleu on the {len(pairs)} pairs of the '{name}' corpus is {have!r} where "
                                  f"{want!r} (sacrebleu.corpus_bleu) was expected.{_diagnose_corpus(pairs, have)}",
                           repr(want), repr(have))
    if "sentences" in expected:
        pairs = expected["responses"]["pairs"]
        return _compare_per_pair("sentence_bleu", got["sentences"],
                                 [sacrebleu.sentence_bleu(h, [r]).score for h, r in pairs], pairs,
                                 _diagnose_sentence(pairs, got["sentences"]))
    return Verdict(True)


def _diagnose_sentence(pairs, values):
    def explain(i):
        hypothesis, reference = pairs[i]
        stats = sacrebleu_stats(hypothesis, reference)
        if any(t == 0 for t in stats["totals"]) and _close(values[i], 0.0):
            return (f" The hypothesis has only {stats['hyp_len']} tokens, so some n-gram orders have no n-grams at "
                    "all: with the effective order, average the log-precisions over the orders that exist only.")
        no_penalty = BLEU.compute_bleu(stats["matches"], stats["totals"], max(stats["hyp_len"], stats["ref_len"]),
                                       stats["ref_len"], smooth_method="exp", effective_order=True).score
        if stats["hyp_len"] < stats["ref_len"] and _close(values[i], no_penalty):
            return (f" The hypothesis has {stats['hyp_len']} tokens and the reference {stats['ref_len']}: apply the "
                    "brevity penalty exp(1 - ref_len / hyp_len).")
        no_smoothing = BLEU.compute_bleu(stats["matches"], stats["totals"], stats["hyp_len"], stats["ref_len"],
                                         smooth_method="none", effective_order=True).score
        if _close(values[i], no_smoothing):
            return " Smooth the orders with no match: precision 100 / (2^k * total) for the k-th such order."
        return ""
    return explain


def check_sentence_bleu(got, expected, ctx):
    pairs = expected["pairs"]
    return _compare_per_pair("sentence_bleu", got["bleu"], [sacrebleu.sentence_bleu(h, [r]).score for h, r in pairs],
                             pairs, _diagnose_sentence(pairs, got["bleu"]))


def check_bleu_stats(got, expected, ctx):
    for pair, have in zip(expected["pairs"], got["stats"]):
        want = sacrebleu_stats(*pair)
        for key in ("hyp_len", "ref_len", "totals", "matches"):
            if have[key] != want[key]:
                hint = {"hyp_len": " Count 13a tokens (tokenize_13a), not characters or whitespace words.",
                        "ref_len": " Count 13a tokens of the reference.",
                        "totals": " totals[n-1] is the number of n-grams in the hypothesis: max(len - n + 1, 0).",
                        "matches": " Clip each hypothesis n-gram's count by its count in the reference."}[key]
                return Verdict(False, f"bleu_stats for {_pair_text(pair)}: {key} is {have[key]} where {want[key]} was "
                                      f"expected.{hint}", repr(want[key]), repr(have[key]))
    return Verdict(True)


# ----------------------------------------------------------------- ROUGE-L and the report

def rouge_expected(prediction, reference):
    score = ROUGE.score(reference, prediction)["rougeL"]      # rouge-score takes (target, prediction)
    return {"precision": score.precision, "recall": score.recall, "fmeasure": score.fmeasure}


def _longest_common_substring(a, b):
    best, previous = 0, [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b):
            current.append(previous[j] + 1 if x == y else 0)
        best = max(best, current[-1] if current else 0, *current)
        previous = current
    return best


def check_rouge_l(got, expected, ctx):
    pairs = expected["pairs"]
    for pair, have in zip(pairs, got["scores"]):
        want = rouge_expected(*pair)
        for key in ("precision", "recall", "fmeasure"):
            if not _close(have[key], want[key]):
                extra = ""
                if _close(have["precision"], want["recall"]) and _close(have["recall"], want["precision"]):
                    extra = " Precision and recall are swapped: precision divides the LCS by the PREDICTION's length."
                else:
                    pred = re.sub(r"[^a-z0-9]+", " ", pair[0].lower()).split()
                    ref = re.sub(r"[^a-z0-9]+", " ", pair[1].lower()).split()
                    substring = _longest_common_substring(ref, pred)
                    if pred and _close(have["precision"], substring / len(pred)):
                        extra = (" Your LCS is the longest common SUBSTRING (contiguous); ROUGE-L uses the longest "
                                 "common SUBSEQUENCE, whose tokens need only appear in the same order.")
                return Verdict(False, f"rouge_l for {_pair_text(pair)}: {key} is {have[key]!r} where {want[key]!r} "
                                      f"was expected.{extra}", repr(want), repr(have))
    return Verdict(True)


def check_report(got, expected, ctx):
    references = expected["references"]
    for system in ("base", "tuned"):
        predictions = expected[system]["predictions"]
        n = len(references)
        want = {"exact_match": sum(map(squad_exact, predictions, references)) / n,
                "token_f1": sum(map(squad_f1, predictions, references)) / n,
                "bleu": sacrebleu.corpus_bleu(predictions, [references]).score,
                "rouge_l": sum(rouge_expected(p, r)["fmeasure"] for p, r in zip(predictions, references)) / n}
        have = got[system]["scores"]
        for key, value in want.items():
            if not _close(have[key], value):
                scale = " (exact_match, token_f1 and rouge_l are means in 0-1; bleu is 0-100)"
                return Verdict(False, f"evaluate_responses for the {system} model: {key} is {have[key]!r} where "
                                      f"{value!r} was expected{scale}", repr(want), repr(have))
    return Verdict(True)
