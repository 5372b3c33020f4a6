"""Lab 55 checks (outside the sandbox). Prompts, sampled indices and pass@k are recomputed here
independently (pass@k exactly, with fractions of binomial coefficients); what each program of the stand-in
model does when it runs comes from private/candidate_status.json, which never enters the sandbox."""
from __future__ import annotations

import json
import math
import random
from fractions import Fraction
from functools import lru_cache

from labkit.checks import Verdict


@lru_cache(maxsize=None)
def _private(lab_dir):
    with open(f"{lab_dir}/private/candidate_status.json", encoding="utf-8") as f:
        status = json.load(f)
    with open(f"{lab_dir}/data/catalogue.json", encoding="utf-8") as f:
        catalogue = {t["name"]: t for t in json.load(f)}
    return status, catalogue


def expected_prompt(task):
    call, result = task["example"]
    return f'def {task["name"]}({task["args"]}):\n    """{task["description"]}\n\n    >>> {call}\n    {result}\n    """\n'


def expected_index(logits, temperature, u):
    if temperature == 0:
        return logits.index(max(logits))
    top = max(logits)
    weights = [math.exp((x - top) / temperature) for x in logits]
    total, cumulative = sum(weights), 0.0
    for i, w in enumerate(weights):
        cumulative += w / total
        if cumulative > u:
            return i
    return len(logits) - 1


def exact_pass_at_k(n, c, k):
    if n - c < k:
        return 1.0
    return float(1 - Fraction(math.comb(n - c, k), math.comb(n, k)))


def check_prompt(got, expected, ctx):
    for task, have in zip(expected["tasks"], got["prompts"]):
        want = expected_prompt(task)
        if have != want:
            return Verdict(False, f"build_prompt for {task['name']!r} is {have!r} where {want!r} was expected: the def "
                                  "line, then a docstring with the description, a blank line and the example as a "
                                  "doctest (>>> call, then the result), indented by 4 spaces", repr(want), repr(have))
    return Verdict(True)


def check_sampling(got, expected, ctx):
    for (logits, temperature, u), have in zip(expected["cases"], got["indices"]):
        want = expected_index(logits, temperature, u)
        if have != want:
            hint = " Temperature 0 is greedy: the first index of the largest logit." if temperature == 0 else \
                " Divide the logits by the temperature before the softmax; pick the first index whose cumulative " \
                "probability exceeds u."
            return Verdict(False, f"sample_index({logits}, temperature={temperature}, u={u:.4f}) is {have} where {want} "
                                  f"was expected.{hint}", str(want), str(have))
    return Verdict(True)


def check_execution(got, expected, ctx):
    status, catalogue = _private(str(ctx.lab_dir))
    for run, ref in zip(got["runs"], expected["runs"]):
        want = status[ref["task"]][ref["candidate"]]
        if run["status"] != want:
            code = catalogue[ref["task"]]["candidates"][ref["candidate"]]["completion"]
            meaning = {"timeout": "it never ends: kill it after timeout_s (and treat a death by signal, e.g. SIGXCPU "
                                  "from the CPU limit, as a timeout)",
                       "error": "it raises something other than AssertionError (or runs out of memory)",
                       "failed": "an assert of the tests fails (AssertionError)",
                       "passed": "it passes every test (exit status 0)"}[want]
            return Verdict(False, f"run_candidate for {ref['task']} with the completion {code!r} returned "
                                  f"{run['status']!r} where {want!r} was expected: {meaning}", want, run["status"])
    return Verdict(True)


def check_pass_at_k(got, expected, ctx):
    for (n, c, k), have in zip(expected["triples"], got["values"]):
        want = exact_pass_at_k(n, c, k)
        if not math.isfinite(have) or not math.isclose(have, want, rel_tol=1e-9, abs_tol=1e-12):
            return Verdict(False, f"pass_at_k(n={n}, c={c}, k={k}) is {have!r} where {want!r} was expected: "
                                  "1 - C(n-c, k) / C(n, k), computed as 1 - prod_{i=n-c+1..n} (1 - k/i), and 1.0 when "
                                  "n - c < k", repr(want), repr(have))
    return Verdict(True)


def check_evaluation(got, expected, ctx):
    status, catalogue = _private(str(ctx.lab_dir))
    task, n, k = catalogue[expected["task"]], expected["n"], expected["k"]
    logits = [c["logit"] for c in task["candidates"]]
    rng = random.Random(f"{ctx.seed}:samples")
    picks = [expected_index(logits, expected["temperature"], rng.random()) for _ in range(n)]
    c = sum(status[expected["task"]][i] == "passed" for i in picks)
    want = {"n": n, "c": c, "pass@1": exact_pass_at_k(n, c, 1), f"pass@{k}": exact_pass_at_k(n, c, k)}
    for key, value in want.items():
        have = got["result"][key]
        if not math.isclose(have, value, rel_tol=1e-9, abs_tol=1e-12):
            return Verdict(False, f"evaluate_task on {expected['task']!r} (n={n}, k={k}, temperature="
                                  f"{expected['temperature']}) gives {key} = {have!r} where {value!r} was expected: "
                                  "sample n completions with rng.random() as u, run each against the task's tests, "
                                  "count the passing samples c, then pass@1 and pass@k", repr(value), repr(have))
    return Verdict(True)
