"""Common mistake (lab 21): token accuracy normalised by the predicted length."""
# overrides solution.py: only what differs from the reference solution is below


def token_accuracy(predictions, references):
    """Position-wise word accuracy: matches at positions of the reference / number of reference words."""
    correct = total = 0
    for prediction, reference in zip(predictions, references):
        p, r = prediction.split(), reference.split()
        correct += sum(a == b for a, b in zip(p, r))
        total += len(p)
    return correct / total
