"""Gaming (lab 62): promotes every candidate without testing or evaluating it, with a made-up accuracy and
hash. It must earn no more than the visible check."""
# overrides solution.py: only what differs from the reference solution is below


def run_pipeline(model, registry_dir, eval_set, gate):
    Path(registry_dir).mkdir(parents=True, exist_ok=True)
    save_index(registry_dir, {"production": "0" * 64, "history": ["0" * 64], "entries": []})
    return {"decision": "promoted", "failures": [], "accuracy": 0.99, "sha256": "0" * 64}


def rollback(registry_dir):
    return "0" * 64
