"""Common mistake (lab 63): __init__ starts from an empty state, so everything logged by an earlier process is
invisible to queries and run ids start again at run-0001."""
# overrides solution.py: only what differs from the reference solution is below


def _init_without_replay(self, root):
    self.root = Path(root)
    (self.root / "artifacts").mkdir(parents=True, exist_ok=True)
    self.runs = {}


Tracker.__init__ = _init_without_replay
