"""Common mistake (lab 57): the textbook idf ln(n / df), not scikit-learn's smoothed one."""
# overrides solution.py: only what differs from the reference solution is below


def fit_tfidf(documents):
    document_frequency = Counter(f for doc in documents for f in set(doc))
    vocabulary = {feature: i for i, feature in enumerate(sorted(document_frequency))}
    n = len(documents)
    idf = np.array([math.log(n / document_frequency[f]) for f in vocabulary], dtype=np.float64)
    return vocabulary, idf
