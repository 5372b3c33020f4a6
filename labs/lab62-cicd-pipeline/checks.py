"""Lab 62 checks (outside the sandbox): the candidate sequence is drawn again from the seed and replayed with
the grader's own tests, evaluation (data/candidates.py's predict), canonical-JSON hashing and registry rules;
the student's decisions, final index.json and registry files are compared with the replay."""
from __future__ import annotations

import hashlib
import importlib.util
import json
import math
import sys

from labkit.checks import Verdict, describe

GATE = {"min_accuracy": 0.8, "max_regression": 0.02}
REQUIRED_KEYS = ("name", "labels", "vocab", "weights", "bias")


def _candidates(lab_dir):
    name = "lab62_candidates_checks"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, lab_dir / "data" / "candidates.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules[name] = module
    return sys.modules[name]


def expected_failures(model):
    missing = [f"missing_key:{k}" for k in REQUIRED_KEYS if k not in model]
    if missing:
        return missing
    out = []
    rows, bias = model["weights"], model["bias"]
    if len(rows) != len(model["labels"]) or len(bias) != len(model["labels"]) \
            or any(len(r) != len(model["vocab"]) for r in rows):
        out.append("shape")
    if any(not math.isfinite(x) for x in [w for r in rows for w in r] + list(bias)):
        out.append("non_finite")
    if len(set(model["labels"])) != len(model["labels"]):
        out.append("duplicate_labels")
    return out


def replay(lab_dir, seed, visible_steps):
    """(results, index, files) that a correct pipeline produces for this seed."""
    kit = _candidates(lab_dir)
    steps, items = kit.sequence(seed)[:visible_steps], kit.eval_set(seed)
    index = {"production": None, "history": [], "entries": []}
    files, results = {}, []
    for step in steps:
        if "rollback" in step:
            if len(index["history"]) < 2:
                results.append({"rollback": None})
                continue
            current = index["history"].pop()
            by_sha = {e["sha256"]: e for e in index["entries"]}
            by_sha[current]["status"] = "rolled_back"
            index["production"] = index["history"][-1]
            by_sha[index["production"]]["status"] = "production"
            results.append({"rollback": index["production"]})
            continue
        model = step["candidate"]
        failures = expected_failures(model)
        if failures:
            results.append({"decision": "rejected_tests", "failures": failures, "accuracy": None, "sha256": None})
            continue
        accuracy = kit.accuracy(model, items)
        content = json.dumps(model, sort_keys=True, separators=(",", ":")).encode("utf-8")
        sha = hashlib.sha256(content).hexdigest()
        files[f"{sha[:12]}.json"] = sha
        by_sha = {e["sha256"]: e for e in index["entries"]}
        production = by_sha[index["production"]]["accuracy"] if index["production"] else None
        ok = accuracy >= GATE["min_accuracy"] and (production is None or accuracy >= production - GATE["max_regression"])
        index["entries"].append({"sha256": sha, "file": f"{sha[:12]}.json", "accuracy": accuracy,
                                 "status": "production" if ok else "rejected"})
        if ok:
            if index["production"]:
                by_sha[index["production"]]["status"] = "archived"
            index["production"] = sha
            index["history"].append(sha)
        results.append({"decision": "promoted" if ok else "rejected_gate", "failures": [], "accuracy": accuracy,
                        "sha256": sha})
    return results, index, files


def _same(a, b):
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, (int, float)) and isinstance(b, (int, float)) and math.isclose(a, b, rel_tol=1e-9)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


def _expected(got, ctx):
    return replay(ctx.lab_dir, got["seed"], got["visible_steps"])


def _step_name(i, result):
    return f"step {i + 1} (rollback)" if "rollback" in result else f"step {i + 1}"


def check_pipeline(got, expected, ctx):
    """Visible: everything at once."""
    for check in (check_tests, check_evaluation, check_packaging, check_decisions, check_registry):
        verdict = check(got, expected, ctx)
        if not verdict.passed:
            return verdict
    return Verdict(True)


def check_tests(got, expected, ctx):
    results, _, _ = _expected(got, ctx)
    for i, (want, have) in enumerate(zip(results, got["results"])):
        if want.get("decision") == "rejected_tests" or have.get("decision") == "rejected_tests":
            if have.get("decision") != want.get("decision") or have.get("failures") != want.get("failures"):
                return Verdict(False, f"{_step_name(i, want)}: run_tests found {have.get('failures')} (decision "
                                      f"{have.get('decision')!r}) where {want.get('failures')} was expected",
                               describe(want), describe(have))
    return Verdict(True)


def check_evaluation(got, expected, ctx):
    results, _, _ = _expected(got, ctx)
    for i, (want, have) in enumerate(zip(results, got["results"])):
        if want.get("accuracy") is not None and not _same(have.get("accuracy"), want["accuracy"]):
            return Verdict(False, f"{_step_name(i, want)}: accuracy {have.get('accuracy')} where {want['accuracy']} was "
                                  "expected on the evaluation set", str(want["accuracy"]), str(have.get("accuracy")))
    return Verdict(True)


def check_packaging(got, expected, ctx):
    results, _, files = _expected(got, ctx)
    for i, (want, have) in enumerate(zip(results, got["results"])):
        if want.get("sha256") and have.get("sha256") != want["sha256"]:
            return Verdict(False, f"{_step_name(i, want)}: package hash {have.get('sha256')} where {want['sha256']} was "
                                  "expected: sha256 of json.dumps(model, sort_keys=True, separators=(',', ':'))",
                           want["sha256"], str(have.get("sha256")))
    registry = {name: sha for name, sha in got["files"].items() if name != "index.json"}
    if registry != files:
        return Verdict(False, f"the registry folder holds {sorted(registry)} where {sorted(files)} was expected, each "
                              "file the canonical JSON bytes whose sha256 is in its name", describe(files),
                       describe(registry))
    return Verdict(True)


def check_decisions(got, expected, ctx):
    results, _, _ = _expected(got, ctx)
    if len(got["results"]) != len(results):
        return Verdict(False, f"{len(got['results'])} results for {len(results)} steps")
    for i, (want, have) in enumerate(zip(results, got["results"])):
        key = "rollback" if "rollback" in want else "decision"
        if have.get(key) != want[key]:
            return Verdict(False, f"{_step_name(i, want)}: {key} {have.get(key)!r} where {want[key]!r} was expected "
                                  f"(accuracy {want.get('accuracy')}, gate {GATE})", str(want[key]), str(have.get(key)))
    return Verdict(True)


def check_registry(got, expected, ctx):
    _, index, _ = _expected(got, ctx)
    have = got["index"]
    if not isinstance(have, dict) or set(have) != {"production", "history", "entries"}:
        return Verdict(False, "index.json must hold exactly the keys production, history and entries")
    for key in ("production", "history"):
        if have[key] != index[key]:
            return Verdict(False, f"index.json {key} is {have[key]} where {index[key]} was expected",
                           describe(index[key]), describe(have[key]))
    if not _same(have["entries"], index["entries"]):
        return Verdict(False, "index.json entries differ (one per packaged candidate, in order, with sha256, file, "
                              "accuracy and status production/archived/rolled_back/rejected)",
                       describe(index["entries"]), describe(have["entries"]))
    return Verdict(True)
