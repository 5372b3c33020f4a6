"""Common mistake (lab 59): the word term is n_kw + beta, not divided by the topic size n_k + V beta."""
# overrides solution.py: only what differs from the reference solution is below


def gibbs_sweep(documents, z, doc_topic, topic_word, topic_total, alpha, beta, uniforms):
    new_z, n = [], 0
    for d, words in enumerate(documents):
        topics = list(z[d])
        for i, w in enumerate(words):
            k = topics[i]
            doc_topic[d, k] -= 1
            topic_word[k, w] -= 1
            topic_total[k] -= 1
            cumulative = np.cumsum((doc_topic[d] + alpha) * (topic_word[:, w] + beta))
            k = min(int(np.searchsorted(cumulative, uniforms[n] * cumulative[-1], side="right")), len(cumulative) - 1)
            doc_topic[d, k] += 1
            topic_word[k, w] += 1
            topic_total[k] += 1
            topics[i] = k
            n += 1
        new_z.append(topics)
    return new_z
