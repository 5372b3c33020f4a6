"""Lab 32 harness (runs inside the sandbox): calls the student's metrics on an instruction-tuned model's
responses (data/responses.json for the visible seed, simulated responses drawn from the seed otherwise) and
returns the inputs next to the scores. checks.py computes the expected scores outside the sandbox with
sacrebleu, rouge-score and the SQuAD evaluation script's logic."""
from __future__ import annotations

import importlib.abc
import json
import numbers
import random
import sys

from labkit.harness import case

# Writing the metrics is the lab: library implementations are not importable from the submission.
BLOCKED_LIBRARIES = ("sacrebleu", "rouge_score", "nltk", "evaluate", "torchmetrics", "sklearn", "torchtext")

SUBJECTS = ["the river", "a small robot", "the old library", "our team", "the red kite", "a quiet village",
            "the museum", "this recipe", "the new bridge", "a young fox", "the night bus", "my neighbour"]
VERBS = ["opens", "needs", "crosses", "shows", "keeps", "follows", "builds", "finds", "carries", "paints"]
OBJECTS = ["the morning light", "two blue boxes", "a well-known map", "the north gate", "three fresh eggs",
           "an e-mail", "the U.S. border", "a long letter", "the last train", "every window"]
TAILS = ["before noon", "in 2024", "for 3.5 hours", "at 1,200 metres", "with great care", "near the coast",
         "every Monday", "(as planned)", "without a sound", "on the left", "at 11.45", "for the 19th time"]
FILLERS = ["Sure!", "Here is the answer:", "I hope this helps!", "Let me know if you need more.", "Of course,"]
ANSWERS = ["Paris", "the Eiffel Tower", "42", "three apples", "an old oak tree", "1,250 people", "George Eliot",
           "the 19th century", "blue and green", "step by step", "one by one", "again and again",
           "side by side", "a well-known poem", "U.S. dollars", "the north gate"]


class _BlockLibraries(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".")[0] in BLOCKED_LIBRARIES:
            raise ImportError(f"{fullname} is not available in this lab: write the metric yourself")
        return None


def _block_libraries():
    for name in list(sys.modules):
        if name.split(".")[0] in BLOCKED_LIBRARIES:
            del sys.modules[name]
    sys.meta_path.insert(0, _BlockLibraries())


_block_libraries()


# ----------------------------------------------------------------- simulated model responses

def reference_sentence(rng):
    sentence = " ".join([rng.choice(SUBJECTS), rng.choice(VERBS), rng.choice(OBJECTS), rng.choice(TAILS)])
    return sentence[0].upper() + sentence[1:] + "."


def _perturb_words(rng, words, kind):
    words = list(words)
    if kind == "drop" and len(words) > 2:
        for _ in range(rng.randint(1, min(3, len(words) - 1))):
            words.pop(rng.randrange(len(words)))
    elif kind == "swap" and len(words) > 1:
        i = rng.randrange(len(words) - 1)
        words[i], words[i + 1] = words[i + 1], words[i]
    elif kind == "substitute":
        pool = " ".join(SUBJECTS + OBJECTS + TAILS).split()
        for _ in range(rng.randint(1, 2)):
            words[rng.randrange(len(words))] = rng.choice(pool)
    elif kind == "repeat":                       # a degenerate generation loop
        start = rng.randrange(len(words))
        phrase = words[start:start + rng.randint(1, 3)]
        words[start:start] = phrase * rng.randint(1, 3)
    elif kind == "truncate":
        words = words[:rng.randint(1, max(1, len(words) - 2))]
    return words


RESPONSE_KINDS = ["copy", "case", "drop", "swap", "substitute", "repeat", "truncate", "filler", "unrelated"]


def model_response(rng, reference, kind):
    """What an instruction-tuned model might answer, given the reference answer."""
    if kind == "copy":
        return reference
    if kind == "case":
        return reference.lower().rstrip(".!") + rng.choice(["", "!", " .", ","])
    if kind == "filler":
        return f"{rng.choice(FILLERS)} {reference}" if rng.random() < 0.5 else f"{reference} {rng.choice(FILLERS)}"
    if kind == "unrelated":
        return reference_sentence(rng)
    if kind == "empty":
        return ""
    return " ".join(_perturb_words(rng, reference.split(), kind))


def sentence_pairs(rng, n, kinds=RESPONSE_KINDS):
    pairs = []
    for _ in range(n):
        reference = reference_sentence(rng)
        if rng.random() < 0.3:
            reference += " " + reference_sentence(rng)
        pairs.append((model_response(rng, reference, rng.choice(kinds)), reference))
    return pairs


def answer_pairs(rng, n):
    """Short-answer (SQuAD-style) pairs, including empty answers and answers with repeated words."""
    kinds = ["copy", "case", "filler", "drop", "repeat", "truncate", "unrelated", "empty"]
    pairs = []
    for _ in range(n):
        reference = rng.choice(ANSWERS)
        kind = rng.choice(kinds)
        prediction = rng.choice(ANSWERS) if kind == "unrelated" else model_response(rng, reference, kind)
        if rng.random() < 0.3:
            prediction = rng.choice(["The ", "the ", "A ", "An "]) + prediction
        pairs.append((prediction, reference))
    pairs.append(("", ""))
    pairs.append(("the", "Paris"))                 # normalises to nothing
    return pairs


def _rng(ctx, name):
    return random.Random(f"{ctx.seed}:{name}")


def _visible_pairs(ctx, squad_only=False):
    items = json.loads((ctx.data_dir / "responses.json").read_text(encoding="utf-8"))
    if squad_only:
        items = items[:4]
    ctx.show(responses=[{"response": i["response"], "reference": i["reference"]} for i in items])
    return [(i["response"], i["reference"]) for i in items]


# ----------------------------------------------------------------- validation

def _number(value, what):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{what} must return a float, got {type(value).__name__}")
    return float(value)


def _string(value, what):
    if not isinstance(value, str):
        raise TypeError(f"{what} must return a str, got {type(value).__name__}")
    return value


def _rouge(student, prediction, reference):
    result = student.rouge_l(prediction, reference)
    if not isinstance(result, dict) or set(result) != {"precision", "recall", "fmeasure"}:
        raise TypeError("rouge_l must return a dict with exactly the keys 'precision', 'recall' and 'fmeasure'")
    return {k: _number(v, f"rouge_l(...)['{k}']") for k, v in result.items()}


def _stats(student, hypothesis, reference):
    result = student.bleu_stats(hypothesis, reference)
    if not isinstance(result, (tuple, list)) or len(result) != 4:
        raise TypeError("bleu_stats must return a tuple (matches, totals, hyp_len, ref_len)")
    matches, totals, hyp_len, ref_len = result
    for name, value in (("matches", matches), ("totals", totals)):
        if not isinstance(value, (list, tuple)) or len(value) != 4:
            raise TypeError(f"bleu_stats: {name} must be a list of 4 ints (n = 1, 2, 3, 4)")
    return {"matches": [int(v) for v in matches], "totals": [int(v) for v in totals],
            "hyp_len": int(hyp_len), "ref_len": int(ref_len)}


def _pairs_out(pairs):
    return [list(p) for p in pairs]


# ----------------------------------------------------------------- cases

@case
def squad(student, ctx):
    if not ctx.visible:
        return None  # the visible example; hidden seeds use the three cases below
    pairs = _visible_pairs(ctx, squad_only=True)
    return {"pairs": _pairs_out(pairs),
            "normalized": [_string(student.normalize_answer(p), "normalize_answer") for p, _ in pairs],
            "em": [_number(student.exact_match(p, r), "exact_match") for p, r in pairs],
            "f1": [_number(student.token_f1(p, r), "token_f1") for p, r in pairs]}


@case
def normalize(student, ctx):
    if ctx.visible:
        return None
    rng = _rng(ctx, "normalize")
    texts = [p for pair in answer_pairs(rng, 12) for p in pair] + [
        "  The  U.S.   dollar's value -- an 'anomaly'?  ", "Theatre, then a thesis; and THE end.", "a\tb\nc"]
    return {"texts": texts, "normalized": [_string(student.normalize_answer(t), "normalize_answer") for t in texts]}


@case
def exact_match(student, ctx):
    if ctx.visible:
        return None
    pairs = answer_pairs(_rng(ctx, "exact_match"), 25)
    return {"pairs": _pairs_out(pairs), "em": [_number(student.exact_match(p, r), "exact_match") for p, r in pairs]}


@case
def token_f1(student, ctx):
    if ctx.visible:
        return None
    pairs = answer_pairs(_rng(ctx, "token_f1"), 30) + [("step step by", "step by step"), ("one one one", "one by one")]
    return {"pairs": _pairs_out(pairs), "f1": [_number(student.token_f1(p, r), "token_f1") for p, r in pairs]}


@case
def bleu_stats(student, ctx):
    if ctx.visible:
        return None
    pairs = sentence_pairs(_rng(ctx, "bleu_stats"), 15)
    return {"pairs": _pairs_out(pairs), "stats": [_stats(student, h, r) for h, r in pairs]}


@case
def corpus_bleu(student, ctx):
    if ctx.visible:
        pairs = _visible_pairs(ctx)
        corpora = {"responses": pairs}
    else:
        rng = _rng(ctx, "corpus_bleu")
        corpora = {"responses": sentence_pairs(rng, 25),
                   "short": sentence_pairs(rng, 2, kinds=["truncate"]),     # few 3-/4-gram matches: smoothing
                   "terse": sentence_pairs(rng, 8, kinds=["drop", "truncate"])}  # shorter than references
    out = {}
    for name, pairs in corpora.items():
        hyps, refs = [h for h, _ in pairs], [r for _, r in pairs]
        out[name] = {"pairs": _pairs_out(pairs),
                     "bleu": _number(student.corpus_bleu(list(hyps), list(refs)), "corpus_bleu")}
    if ctx.visible:
        out["sentences"] = [_number(student.sentence_bleu(h, r), "sentence_bleu") for h, r in corpora["responses"]]
    return out


@case
def sentence_bleu(student, ctx):
    if ctx.visible:
        return None
    rng = _rng(ctx, "sentence_bleu")
    pairs = sentence_pairs(rng, 16) + [(" ".join(reference_sentence(rng).split()[:k]), reference_sentence(rng))
                                       for k in (1, 2, 3)]
    pairs += [(r.split()[0] + " " + r.split()[1], r) for r in (reference_sentence(rng) for _ in range(2))]
    return {"pairs": _pairs_out(pairs), "bleu": [_number(student.sentence_bleu(h, r), "sentence_bleu") for h, r in pairs]}


@case
def rouge_l(student, ctx):
    if ctx.visible:
        pairs = _visible_pairs(ctx)
    else:
        rng = _rng(ctx, "rouge_l")
        pairs = sentence_pairs(rng, 20) + [("", "The river opens."), ("...", "A quiet village.")]
    return {"pairs": _pairs_out(pairs), "scores": [_rouge(student, p, r) for p, r in pairs]}


@case
def report(student, ctx):
    """A base model and the instruction-tuned one, scored on the same references."""
    if ctx.visible:
        return None
    rng = _rng(ctx, "report")
    references = [reference_sentence(rng) for _ in range(12)] + [rng.choice(ANSWERS) for _ in range(6)]
    systems = {"base": [model_response(rng, r, rng.choice(["unrelated", "truncate", "filler", "repeat"]))
                        for r in references],
               "tuned": [model_response(rng, r, rng.choice(["copy", "case", "drop", "swap", "filler"]))
                         for r in references]}
    out = {"references": references}
    for name, predictions in systems.items():
        result = student.evaluate_responses(list(predictions), list(references))
        keys = {"exact_match", "token_f1", "bleu", "rouge_l"}
        if not isinstance(result, dict) or set(result) != keys:
            raise TypeError(f"evaluate_responses must return a dict with exactly the keys {sorted(keys)}")
        out[name] = {"predictions": predictions,
                     "scores": {k: _number(v, f"evaluate_responses(...)['{k}']") for k, v in result.items()}}
    return out
