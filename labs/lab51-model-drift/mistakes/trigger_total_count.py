"""Common mistake (lab 51): the trigger counts every drifted window, not drifted windows in a row."""
# overrides solution.py: only what differs from the reference solution is below


class RetrainingTrigger:
    def __init__(self, k):
        self.k = k
        self.drifted_windows = 0

    def update(self, drifted):
        self.drifted_windows += int(drifted)
        if self.drifted_windows >= self.k:
            self.drifted_windows = 0
            return True
        return False
