"""Common mistake (lab 62): the artifact is serialised as given, so its hash depends on dict key order."""
# overrides solution.py: only what differs from the reference solution is below


def canonical_bytes(model):
    return json.dumps(model).encode("utf-8")
