"""Gaming (lab 59): recognises the visible corpus and answers it, returns zeros and uniform topics for
everything else. It must earn no more than the visible checks."""
# overrides solution.py: only what differs from the reference solution is below

VISIBLE_FIRST_DOCUMENT = [0, 1, 2, 1]
_copied_counts, _copied_umass = init_counts, umass_coherence    # stand in for answers copied from feedback


def init_counts(documents, z, num_topics, vocab_size):
    if documents and documents[0] == VISIBLE_FIRST_DOCUMENT:
        return _copied_counts(documents, z, num_topics, vocab_size)
    return (np.zeros((len(documents), num_topics), dtype=np.int64), np.zeros((num_topics, vocab_size), dtype=np.int64),
            np.zeros(num_topics, dtype=np.int64))


def umass_coherence(top, documents):
    return _copied_umass(top, documents) if documents and documents[0] == VISIBLE_FIRST_DOCUMENT else -1.0


def gibbs_sweep(documents, z, doc_topic, topic_word, topic_total, alpha, beta, uniforms):
    return [list(topics) for topics in z]


def lda_gibbs(documents, num_topics, vocab_size, alpha=1.0, beta=0.1, iterations=80, seed=0):
    return (np.full((num_topics, vocab_size), 1.0 / vocab_size),
            np.full((len(documents), num_topics), 1.0 / num_topics))
