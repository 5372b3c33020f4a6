"""Lab 4 custom checks (run OUTSIDE the sandbox). The de-duplication quality check rebuilds the planted
ground truth from the seed with data/planted_corpus.py and scores the student's kept documents."""
from __future__ import annotations

import importlib.util
import sys

from labkit.checks import Verdict, describe

MIN_PRECISION = 0.9
MIN_RECALL = 0.9


def _planted(lab_dir):
    name = "lab04_planted_corpus_checks"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, lab_dir / "data" / "planted_corpus.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules[name] = module
    return sys.modules[name]


def check_shingles(got, expected, ctx):
    for index, (want, have) in enumerate(zip(expected, got)):
        if want != have:
            missing = sorted(set(want) - set(have))[:3]
            extra = sorted(set(have) - set(want))[:3]
            return Verdict(False, f"call {index + 1}: {len(want)} shingles expected, {len(have)} returned; "
                                  f"missing e.g. {missing}, unexpected e.g. {extra}", describe(want), describe(have))
    return Verdict(True)


def check_pairs(got, expected, ctx):
    """One list of pairs (visible) or a list of them (hidden: one per signature matrix)."""
    if expected and isinstance(expected[0][0], list):
        results = list(zip(expected, got)) if len(got) == len(expected) else None
        if results is None:
            return Verdict(False, f"expected {len(expected)} results, got {len(got)}")
    else:
        results = [(expected, got)]
    for index, (want_list, have_list) in enumerate(results):
        want, have = {tuple(p) for p in want_list}, {tuple(p) for p in have_list}
        if want != have:
            missing, extra = sorted(want - have), sorted(have - want)
            label = f"matrix {index + 1}: " if len(results) > 1 else ""
            return Verdict(False, f"{label}candidate pairs differ: missing {missing[:5]}, unexpected {extra[:5]} "
                                  "(documents are candidates when ALL rows of at least one band are equal)",
                           describe(want_list), describe(have_list))
    return Verdict(True)


def check_estimate(got, expected, ctx):
    for item in got:
        if abs(item["estimate"] - item["true"]) > 0.12:
            return Verdict(False, f"estimate_jaccard gives {item['estimate']:.3f} for two sets whose true Jaccard "
                                  f"similarity is {item['true']:.3f} (256 hash functions should land within about "
                                  "0.1): compare the two signatures position by position")
    return Verdict(True)


def check_quality(got, expected, ctx):
    docs, truth = _planted(ctx.lab_dir).make_corpus(ctx.seed)
    n = len(docs)
    if any(not 0 <= i < n for i in got):
        return Verdict(False, f"deduplicate returned indices outside 0..{n - 1}")
    should_remove = {i for group in truth for i in group[1:]}
    removed = set(range(n)) - set(got)
    true_pos = len(removed & should_remove)
    precision = true_pos / len(removed) if removed else 0.0
    recall = true_pos / len(should_remove)
    summary = (f"precision {precision:.3f}, recall {recall:.3f} over {n} documents with {len(truth)} planted "
               f"near-duplicate clusters ({len(should_remove)} documents should go, you removed {len(removed)})")
    if precision < MIN_PRECISION:
        return Verdict(False, summary + f"; precision must be at least {MIN_PRECISION}: you remove documents that "
                                        "are not near-duplicates (verify candidates with the exact Jaccard "
                                        "similarity, keep the FIRST document of each cluster)")
    if recall < MIN_RECALL:
        return Verdict(False, summary + f"; recall must be at least {MIN_RECALL}: near-duplicates are missed "
                                        "(check shingling, the banding and that clusters are merged transitively)")
    return Verdict(True, summary)
