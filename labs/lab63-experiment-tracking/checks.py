"""Lab 63 checks (outside the sandbox): the recorded experiment history is replayed through an independent
model of the tracker to get the events the log must hold, the sha256 of every artifact, and the answer to
every query; the student's log, stored artifacts and answers (live, and from a Tracker reopened on the same
folder) are compared with them."""
from __future__ import annotations

import hashlib
import math

from labkit.checks import Verdict, describe


def expected_history(ops):
    """(events, run_ids, runs) for the operations, with runs as the queries see them."""
    events, run_ids, runs = [], [], {}
    for op in ops:
        if op["op"] == "start_run":
            run_id = f"run-{len(run_ids) + 1:04d}"
            run_ids.append(run_id)
            runs[run_id] = {"params": dict(op["params"]), "tags": dict(op["tags"]), "status": "running", "metrics": {}}
            events.append({"event": "start_run", "run_id": run_id, "name": op["name"], "params": op["params"],
                           "tags": op["tags"]})
            continue
        run_id = run_ids[op["run"]]
        run = runs[run_id]
        if op["op"] == "log_metric":
            run["metrics"].setdefault(op["key"], {})[op["step"]] = float(op["value"])
            events.append({"event": "metric", "run_id": run_id, "key": op["key"], "value": float(op["value"]),
                           "step": op["step"]})
        elif op["op"] == "set_tag":
            run["tags"][op["key"]] = op["value"]
            events.append({"event": "tag", "run_id": run_id, "key": op["key"], "value": op["value"]})
        elif op["op"] == "log_artifact":
            content = op["content"].encode("utf-8")
            events.append({"event": "artifact", "run_id": run_id, "name": op["name"],
                           "sha256": hashlib.sha256(content).hexdigest(), "size": len(content)})
        elif op["op"] == "end_run":
            run["status"] = op["status"]
            events.append({"event": "end_run", "run_id": run_id, "status": op["status"]})
    return events, run_ids, runs


def _field(run, name):
    section, _, key = name.partition(".")
    if section == "status":
        return True, run["status"]
    if section in ("params", "tags") and key in run[section]:
        return True, run[section][key]
    return False, None


def _search(runs, where):
    return [rid for rid, run in runs.items()
            if all(_field(run, name)[0] and _field(run, name)[1] == value for name, value in (where or {}).items())]


def _summary(run, key, agg="last"):
    history = sorted(run["metrics"].get(key, {}).items())
    if not history:
        return None
    values = [v for _, v in history]
    return {"last": values[-1], "max": max(values), "min": min(values)}[agg]


def expected_answer(runs, query):
    kind = query["query"]
    if kind == "search_runs":
        return _search(runs, query["where"])
    if kind == "metric_history":
        return [[step, value] for step, value in sorted(runs[query["run_id"]]["metrics"].get(query["key"], {}).items())]
    if kind == "compare":
        return {rid: {key: _summary(runs[rid], key) for key in query["keys"]} for rid in query["run_ids"]}
    scored = [(rid, _summary(runs[rid], query["key"], query["agg"])) for rid in _search(runs, query["where"])]
    scored = [(rid, v) for rid, v in scored if v is not None]
    if not scored:
        return None
    sign = 1 if query["mode"] == "max" else -1
    best = max(sign * v for _, v in scored)
    return next(rid for rid, v in scored if sign * v == best)     # ties: the earliest run


def _same(a, b):
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, (int, float)) and isinstance(b, (int, float)) and math.isclose(a, b, rel_tol=1e-12)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


def check_log(got, expected, ctx):
    events, run_ids, _ = expected_history(expected["operations"])
    events.append({"event": "start_run", "run_id": f"run-{len(run_ids) + 1:04d}", "name": "after-restart",
                   "params": {"lr": 0.1}, "tags": {}})
    if got["run_ids"] != run_ids:
        return Verdict(False, f"start_run returned {got['run_ids']} where {run_ids} was expected: run-0001, run-0002, ...",
                       describe(run_ids), describe(got["run_ids"]))
    for index, want in enumerate(events):
        have = got["events"][index] if index < len(got["events"]) else None
        if not _same(have, want):
            return Verdict(False, f"events.jsonl line {index + 1} is {have} where {want} was expected (one JSON object "
                                  "per call, appended in call order)", describe(want), describe(have))
    if len(got["events"]) != len(events):
        return Verdict(False, f"events.jsonl has {len(got['events'])} events where {len(events)} were expected")
    return Verdict(True)


def check_artifacts(got, expected, ctx):
    contents = [op["content"] for op in expected["operations"] if op["op"] == "log_artifact"]
    for content, digest in zip(contents, got["hashes"]):
        want = hashlib.sha256(content.encode("utf-8")).hexdigest()
        if digest != want:
            return Verdict(False, f"log_artifact returned {digest!r} for a file holding {content[:40]!r}...; the sha256 "
                                  f"of the file's bytes is {want!r}", want, digest)
        if got["artifacts"].get(want) != content:
            return Verdict(False, f"artifacts/{want} is missing or does not hold the file's content: store each "
                                  "artifact under its hash (content-addressed)")
    if len(got["hashes"]) != len(contents):
        return Verdict(False, f"{len(got['hashes'])} hashes for {len(contents)} artifacts")
    extra = sorted(set(got["artifacts"]) - {hashlib.sha256(c.encode()).hexdigest() for c in contents})
    if extra:
        return Verdict(False, f"artifacts/ holds files that are no artifact's hash: {extra[:2]}")
    return Verdict(True)


def _compare_answers(answers, expected, label):
    _, _, runs = expected_history(expected["operations"])
    for query, have in zip(expected["queries"], answers):
        want = expected_answer(runs, query)
        if not _same(have, want):
            return Verdict(False, f"{label}{query} answered {have} where {want} was expected", describe(want),
                           describe(have))
    return Verdict(True)


def check_queries(got, expected, ctx):
    return _compare_answers(got["answers"], expected, "")


def check_persistence(got, expected, ctx):
    verdict = _compare_answers(got["reopened_answers"], expected, "after reopening the folder with a new Tracker, ")
    if not verdict.passed:
        return verdict
    runs = sum(op["op"] == "start_run" for op in expected["operations"])
    want = f"run-{runs + 1:04d}"
    if got["next_run_id"] != want:
        return Verdict(False, f"the first run started after reopening got id {got['next_run_id']!r} where {want!r} was "
                              "expected: load the existing runs from events.jsonl", want, str(got["next_run_id"]))
    return Verdict(True)
