"""Common mistake (lab 62): rollback goes back to the first production model, skipping the previous one."""
# overrides solution.py: only what differs from the reference solution is below


def rollback(registry_dir):
    index = load_index(registry_dir)
    if len(index["history"]) < 2:
        return None
    current = index["history"].pop()
    _entry(index, current)["status"] = "rolled_back"
    first = index["history"][0]
    _entry(index, first)["status"] = "production"
    index["production"] = first
    save_index(registry_dir, index)
    return first
