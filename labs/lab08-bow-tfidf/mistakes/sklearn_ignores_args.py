"""Common mistake: TfidfVectorizer() built without ngram_range and min_df."""
# overrides solution.py: only what differs from the reference solution is below


def sklearn_tfidf(docs: list[str], ngram_range: tuple[int, int] = (1, 1), min_df: int = 1):
    vectorizer = TfidfVectorizer()
    matrix = vectorizer.fit_transform(docs)
    return matrix.toarray(), list(vectorizer.get_feature_names_out())
