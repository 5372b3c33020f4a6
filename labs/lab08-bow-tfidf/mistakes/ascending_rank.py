"""Common mistake: np.argsort(scores)[:top_k] ranks the least similar documents first."""
# overrides solution.py: only what differs from the reference solution is below


def search(query: str, docs: list[str], top_k: int = 3) -> list[int]:
    vocabulary = build_vocabulary(docs)
    counts = count_matrix(docs, vocabulary)
    idf = smooth_idf(counts)
    doc_vectors = tfidf_transform(counts, idf)
    query_vector = tfidf_transform(count_matrix([query], vocabulary), idf)
    scores = cosine_similarity(query_vector, doc_vectors)[0]
    return [int(i) for i in np.argsort(scores)[:top_k]]
