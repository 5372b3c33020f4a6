"""Lab 4 custom checks (run OUTSIDE the sandbox). The de-duplication quality check rebuilds the planted
ground truth from the seed with data/planted_corpus.py and scores the student's kept documents."""
from __future__ import annotations

from labkit.checks import Verdict
from labkit.compare import each_result, set_difference
from labkit.data import load_module

MIN_PRECISION = 0.9
MIN_RECALL = 0.9
ESTIMATE_SIGMAS = 4.0   # the statistical check allows 4 standard deviations of a 256-value estimate


def _planted(ctx):
    return load_module(ctx, "planted_corpus.py")


def check_shingles(got, expected, ctx):
    return each_result(got, expected, set_difference, what="call")


def check_pairs(got, expected, ctx):
    """One list of pairs (visible) or a list of them (hidden: one per signature matrix)."""
    def compare(have, want):
        problem = set_difference(map(tuple, have), map(tuple, want), limit=5)
        return problem and (f"candidate pairs differ: {problem} (documents are candidates when ALL rows of at "
                            "least one band are equal)")

    if expected and isinstance(expected[0][0], list):
        return each_result(got, expected, compare, what="matrix")
    return each_result([got], [expected], compare)


def check_estimate(got, expected, ctx):
    for item in got["exact"] + got["statistical"]:
        if not 0.0 <= item["estimate"] <= 1.0:
            return Verdict(False, f"estimate_jaccard returned {item['estimate']:.4f}: a share of positions must lie "
                                  "between 0 and 1 (divide the number of equal positions by num_perm)")
    for item, want in zip(got["exact"], expected["exact"]):
        if abs(item["estimate"] - want["estimate"]) > 1e-9:
            return Verdict(False, f"two signatures of num_perm={item['num_perm']} values agree in {item['equal']} "
                                  f"positions, so the estimate is {want['estimate']:.4f}; estimate_jaccard gave "
                                  f"{item['estimate']:.4f} (divide by num_perm, not num_perm - 1 or + 1)")
    for item in got["statistical"]:
        true = item["true"]
        allowed = ESTIMATE_SIGMAS * (true * (1 - true) / 256) ** 0.5
        if abs(item["estimate"] - true) > allowed:
            return Verdict(False, f"estimate_jaccard gives {item['estimate']:.3f} for two sets whose true Jaccard "
                                  f"similarity is {true:.3f} (256 hash functions should land within {allowed:.3f}): "
                                  "compare the two signatures position by position")
    return Verdict(True)


def check_quality(got, expected, ctx):
    docs, truth = _planted(ctx).make_corpus(ctx.seed)
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
