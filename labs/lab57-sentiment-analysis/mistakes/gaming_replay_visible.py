"""Gaming (lab 57): answers the visible inputs it recognises with the numbers the visible checks showed, and
makes up everything else (every review 'positive', zero gradients). It must earn no more than the visible checks."""
# overrides solution.py: only what differs from the reference solution is below

VISIBLE_TFIDF_WORDS = {"battery", "good", "screen", "bright", "returned", "week"}
_copied_fit = fit_tfidf     # stands in for the idf values copied from the visible feedback
COPIED_SCORES = {  # read off the visible check's feedback
    ('the', 'screen', 'is', 'very', 'bright', '.'): 1.5,
    ('the', 'battery', 'is', 'not', 'good', '.'): -1.0,
    ('the', 'keyboard', 'is', 'not', 'very', 'comfortable', ',', 'but', 'the', 'speaker', 'is', 'great', '!'): 3.75,
    ('the', 'case', 'was', 'slightly', 'flimsy', 'but', 'the', 'strap', 'is', 'extremely', 'sturdy', '.'): 4.0,
    ('i', 'bought', 'it', 'last', 'month', '.', 'it', 'is', 'not', 'bad', 'and', 'not', 'slow', '.'): 1.75,
    ('barely', 'useless', ';', 'really', 'really', 'awful', '.'): -7.65,
}


def lexicon_score(tokens, lexicon):
    return COPIED_SCORES.get(tuple(tokens), 1.0)


def fit_tfidf(documents):
    if len(documents) == 4 and VISIBLE_TFIDF_WORDS <= {f for d in documents for f in d}:
        return _copied_fit(documents)
    vocabulary = {f: i for i, f in enumerate(sorted({f for d in documents for f in d}))}
    return vocabulary, np.ones(len(vocabulary))


def logreg_loss_and_grad(X, y, w, b, l2):
    return 0.1, np.zeros_like(w), 0.0


def lexicon_predict(texts, lexicon):
    return np.ones(len(texts), dtype=np.int64)


class SentimentModel:
    def fit(self, texts, labels):
        return self

    def predict(self, texts):
        return np.ones(len(texts), dtype=np.int64)
