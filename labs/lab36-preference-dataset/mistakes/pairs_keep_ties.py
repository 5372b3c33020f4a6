"""Common mistake (lab 36): every pair of candidates becomes a preference, including near-ties (scores
closer than min_margin) and an answer paired with its own duplicate."""
# overrides solution.py: only what differs from the reference solution is below


def build_pairs(records, min_margin=1.0):
    pairs = []
    for record in records:
        candidates = record["candidates"]
        scores = [rubric_score(c, record["answer"], record["answer_words"]) for c in candidates]  # noqa: F821
        for i in range(len(candidates)):
            for j in range(i + 1, len(candidates)):
                better_i = scores[i] >= scores[j]
                chosen, rejected = (candidates[i], candidates[j]) if better_i else (candidates[j], candidates[i])
                pairs.append({"prompt": record["prompt"], "chosen": chosen, "rejected": rejected,
                              "margin": abs(scores[i] - scores[j])})
    return pairs
