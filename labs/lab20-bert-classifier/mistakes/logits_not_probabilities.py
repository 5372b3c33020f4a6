"""Common mistake (lab 20): predict_proba returns logits."""
# overrides solution.py: only what differs from the reference solution is below


def _probabilities(model, batch):
    return model(**batch).logits                     # no softmax
