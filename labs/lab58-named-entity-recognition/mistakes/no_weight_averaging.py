"""Common mistake (lab 58): average() is a no-op, so the tagger keeps the last weights of training."""
# overrides solution.py: only what differs from the reference solution is below


def _keep_final_weights(self):
    return None


AveragedPerceptron.average = _keep_final_weights
