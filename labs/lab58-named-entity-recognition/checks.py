"""Lab 58 checks (outside the sandbox). The reference entity extraction and scores follow seqeval's default
(conlleval) mode, reproduced below from seqeval.metrics.sequence_labeling (get_entities, end_of_chunk,
start_of_chunk, precision/recall/F1 with zero_division=0); seqeval itself is not a dependency of the course.
The averaged perceptron is replayed naively (weights summed after every call) and the tagger's F1 is computed
against gold tags drawn again from the seed with data/ner_corpus.py."""
from __future__ import annotations

import importlib.util
import math
import sys

from labkit.checks import Verdict, describe

MIN_TAGGER_F1 = 0.90
TOL = dict(rel_tol=1e-9, abs_tol=1e-12)


# ----------------------------------------------------------------- seqeval's default mode

def _end_of_chunk(prev_tag, tag, prev_type, type_):
    return (prev_tag in ("E", "S") or (prev_tag in ("B", "I") and tag in ("B", "S", "O"))
            or (prev_tag not in ("O", ".") and prev_type != type_))


def _start_of_chunk(prev_tag, tag, prev_type, type_):
    return (tag in ("B", "S") or (prev_tag in ("E", "S", "O") and tag in ("E", "I"))
            or (tag not in ("O", ".") and prev_type != type_))


def seqeval_entities(seq):
    """seqeval.metrics.sequence_labeling.get_entities: (type, start, end) over a flat sequence."""
    prev_tag, prev_type, begin, chunks = "O", "", 0, []
    for i, chunk in enumerate(list(seq) + ["O"]):
        tag = chunk[0]
        type_ = chunk[1:].split("-", maxsplit=1)[-1] or "_"
        if _end_of_chunk(prev_tag, tag, prev_type, type_):
            chunks.append((prev_type, begin, i - 1))
        if _start_of_chunk(prev_tag, tag, prev_type, type_):
            begin = i
        prev_tag, prev_type = tag, type_
    return chunks


def _flat_entities(seqs):
    flat = [tag for seq in seqs for tag in list(seq) + ["O"]]
    return set(seqeval_entities(flat))


def _prf(true_set, pred_set):
    hits = len(true_set & pred_set)
    p = hits / len(pred_set) if pred_set else 0.0
    r = hits / len(true_set) if true_set else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def seqeval_report(true_seqs, pred_seqs):
    """f1_score / precision_score / recall_score (micro) and precision_recall_fscore_support per type."""
    true_set, pred_set = _flat_entities(true_seqs), _flat_entities(pred_seqs)
    report = {"micro": list(_prf(true_set, pred_set))}
    for kind in sorted({e[0] for e in true_set | pred_set}):
        t = {e for e in true_set if e[0] == kind}
        p = {e for e in pred_set if e[0] == kind}
        report[kind] = [*_prf(t, p), float(len(t))]
    return report


def reference_fix_bio(tags):
    fixed, prev = [], "O"
    for tag in tags:
        if tag.startswith("I-") and (prev == "O" or prev[2:] != tag[2:]):
            tag = "B-" + tag[2:]
        fixed.append(tag)
        prev = tag
    return fixed


# ----------------------------------------------------------------- checks

def check_entities(got, expected, ctx):
    for tags, have in zip(expected["sequences"], got["entities"]):
        want = [list(e) for e in seqeval_entities(tags)]
        if sorted(map(tuple, have)) != sorted(map(tuple, want)):
            return Verdict(False, f"get_entities({tags}) is {have} where {want} was expected (seqeval's default mode: "
                                  "an I- after O or after another type starts a new entity)", describe(want),
                           describe(have))
    return Verdict(True)


def _close_lists(a, b):
    return len(a) == len(b) and all(math.isclose(x, y, **TOL) for x, y in zip(a, b))


def check_scores(got, expected, ctx):
    for name, case in expected.items():
        want = seqeval_report(case["true"], case["pred"])
        have = got[name]["report"]
        if set(have) != set(want):
            return Verdict(False, f"{name}: report keys {sorted(have)} where {sorted(want)} were expected ('micro' and "
                                  "every entity type found in the gold OR the predicted tags)")
        for key in want:
            if not _close_lists(have[key], want[key]):
                what = "(precision, recall, f1)" if key == "micro" else "(precision, recall, f1, support)"
                return Verdict(False, f"{name}: {key} {what} is {have[key]} where {want[key]} was expected; "
                                      f"gold {case['true'][:3]}..., predicted {case['pred'][:3]}...",
                               describe(want[key]), describe(have[key]))
    return Verdict(True)


def check_fix_bio(got, expected, ctx):
    for tags, have in zip(expected["sequences"], got["fixed"]):
        want = reference_fix_bio(tags)
        if have != want:
            return Verdict(False, f"fix_bio({tags}) is {have} where {want} was expected: every I-X that does not "
                                  "continue an X entity becomes B-X", describe(want), describe(have))
    return Verdict(True)


def reference_averages(classes, updates):
    weights, sums = {}, {}
    for truth, guess, features in updates:
        for key, value in weights.items():      # the weight as it stood when this call began
            sums[key] = sums.get(key, 0.0) + value
        if truth != guess:
            for feature in features:
                weights[(feature, truth)] = weights.get((feature, truth), 0.0) + 1.0
                weights[(feature, guess)] = weights.get((feature, guess), 0.0) - 1.0
    return {key: sums.get(key, 0.0) / len(updates) for key in weights}


def check_averaging(got, expected, ctx):
    want = reference_averages(expected["classes"], expected["updates"])
    have = {(f, c): w for f, ws in got["weights"].items() for c, w in ws.items()}
    for key in sorted(set(want) | set(have)):
        if not math.isclose(have.get(key, 0.0), want.get(key, 0.0), rel_tol=1e-9, abs_tol=1e-9):
            final = sum((1 if t == key[1] else -1 if g == key[1] else 0)
                        for t, g, fs in expected["updates"] if t != g and key[0] in fs)
            hint = (" That is the final weight: average() must replace it by its mean over the update calls."
                    if math.isclose(have.get(key, 0.0), final) else "")
            return Verdict(False, f"averaged weight of feature {key[0]!r} for {key[1]!r} after {len(expected['updates'])} "
                                  f"updates is {have.get(key, 0.0):.4f} where {want.get(key, 0.0):.4f} was expected.{hint}",
                           f"{want.get(key, 0.0):.6f}", f"{have.get(key, 0.0):.6f}")
    return Verdict(True)


def _corpus(lab_dir):
    name = "lab58_ner_corpus_checks"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, lab_dir / "data" / "ner_corpus.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules[name] = module
    return sys.modules[name]


def check_tagger(got, expected, ctx):
    predictions = got["predictions"]
    _, gold = _corpus(ctx.lab_dir).sentences(f"hidden:{ctx.seed}", len(expected["predictions"]))
    for tags in predictions:
        if reference_fix_bio(tags) != tags:
            return Verdict(False, f"NERTagger.tag returned invalid BIO {tags}: apply fix_bio to the greedy output")
    f1 = seqeval_report(gold, predictions)["micro"][2]
    if f1 < MIN_TAGGER_F1:
        return Verdict(False, f"entity-level F1 on {len(gold)} hidden sentences is {f1:.3f}, below {MIN_TAGGER_F1}",
                       f">= {MIN_TAGGER_F1}", f"{f1:.3f}")
    return Verdict(True, f"entity-level F1 {f1:.3f}")
