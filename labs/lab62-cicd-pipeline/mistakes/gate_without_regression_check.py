"""Common mistake (lab 62): the quality gate only checks the absolute bar, never the production model."""
# overrides solution.py: only what differs from the reference solution is below


def passes_gate(accuracy, production_accuracy, gate):
    return accuracy >= gate["min_accuracy"]
