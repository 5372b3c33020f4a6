"""Common mistake (lab 57): 'but' is only a clause break; both sides of it weigh 1."""
# overrides solution.py: only what differs from the reference solution is below


def _but_weights(sentence, lexicon):
    return [1.0] * len(sentence)
