"""Gaming (lab 56): answers the visible inputs it recognises with what the visible checks showed, and makes
up everything else (only its edge weights are honest): equal TextRank scores, the first k sentences, ROUGE
of 0.5 everywhere and the first words of each article as its "headline". It must earn no more than the
visible checks."""
# overrides solution.py: only what differs from the reference solution is below

_copied_scores, _copied_rouge_n, _copied_rouge_l, _copied_greedy = (
    textrank_scores, rouge_n, rouge_l, greedy_summarize)   # stand in for the copied visible feedback
VISIBLE_WORDS = {"spokesperson", "residents"}
VISIBLE_PAIRS = {("The mayor opens the new bridge, the bridge!", "mayor opens bridge in riverton"),
                 ("school closes park in ashby", "school closes park in ashby"),
                 ("sunny and cold", "club sells tower in elmira")}


def textrank_scores(sentences, damping=0.85, tol=1e-10, max_iter=1000):
    words = {w for s in sentences for w in s}
    if len(sentences) == 6 and VISIBLE_WORDS <= words:
        return _copied_scores(sentences)
    return np.full(len(sentences), 1.0 / len(sentences))


def extractive_summary(sentences, k, stopwords):
    return list(sentences[:k])


def rouge_n(candidate, reference, n):
    if (candidate, reference) in VISIBLE_PAIRS:
        return _copied_rouge_n(candidate, reference, n)
    return {"precision": 0.5, "recall": 0.5, "f1": 0.5}


def rouge_l(candidate, reference):
    if (candidate, reference) in VISIBLE_PAIRS:
        return _copied_rouge_l(candidate, reference)
    return {"precision": 0.5, "recall": 0.5, "f1": 0.5}


def greedy_summarize(model, tokenizer, documents, max_new_tokens=12):
    if len(documents) == 2:
        return _copied_greedy(model, tokenizer, documents, max_new_tokens)
    return [" ".join(d.split()[:5]) for d in documents]
