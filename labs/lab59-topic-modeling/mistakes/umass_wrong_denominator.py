"""Common mistake (lab 59): UMass divided by the document frequency of the lower-ranked word."""
# overrides solution.py: only what differs from the reference solution is below


def umass_coherence(top, documents):
    doc_sets = [set(words) for words in documents]
    def frequency(*words):
        return sum(1 for s in doc_sets if all(w in s for w in words))
    return float(sum(math.log((frequency(top[i], top[j]) + 1) / frequency(top[i]))
                     for i in range(1, len(top)) for j in range(i)))
