"""Common mistake (lab 59): the token's current assignment stays in the counts while it is resampled."""
# overrides solution.py: only what differs from the reference solution is below


def gibbs_sweep(documents, z, doc_topic, topic_word, topic_total, alpha, beta, uniforms):
    vocab_size = topic_word.shape[1]
    new_z, n = [], 0
    for d, words in enumerate(documents):
        topics = list(z[d])
        for i, w in enumerate(words):
            old = topics[i]
            weights = (doc_topic[d] + alpha) * (topic_word[:, w] + beta) / (topic_total + vocab_size * beta)
            cumulative = np.cumsum(weights)
            k = min(int(np.searchsorted(cumulative, uniforms[n] * cumulative[-1], side="right")), len(cumulative) - 1)
            doc_topic[d, old] -= 1
            topic_word[old, w] -= 1
            topic_total[old] -= 1
            doc_topic[d, k] += 1
            topic_word[k, w] += 1
            topic_total[k] += 1
            topics[i] = k
            n += 1
        new_z.append(topics)
    return new_z
