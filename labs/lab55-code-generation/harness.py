"""Lab 55 harness (runs inside the sandbox): builds prompts with the student's code, samples from the
stand-in code model (data/stand_in_model.py), runs the sampled programs in the student's restricted
runner and computes pass@k. What each program really does when run (private/candidate_status.json) never
enters the sandbox; checks.py compares outside."""
from __future__ import annotations

import importlib.util
import json
import numbers
import random

from labkit.harness import case

STATUSES = ("passed", "failed", "error", "timeout")
LOOP_TASKS = ("is_palindrome", "max_of_list")          # "factorial" and "add" are the visible ones
CALM_TASKS = ("count_vowels", "fizzbuzz", "reverse_words")
WORDS = "value items text count limit name score total word left right scale".split()
VERBS = "Return Compute Count Find Build Check".split()


def _catalogue(ctx):
    return json.loads((ctx.data_dir / "catalogue.json").read_text(encoding="utf-8"))


def _model(ctx):
    spec = importlib.util.spec_from_file_location("stand_in_model", ctx.data_dir / "stand_in_model.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.StandInCodeModel(ctx.data_dir / "catalogue.json")


def _task(catalogue, name):
    return next(t for t in catalogue if t["name"] == name)


def _string(value, what):
    if not isinstance(value, str):
        raise TypeError(f"{what} must return a str, got {type(value).__name__}")
    return value


def _status(value):
    if value not in STATUSES:
        raise ValueError(f"run_candidate returned {value!r}; it must return one of {list(STATUSES)}")
    return value


def _float(value, what):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{what} must return a float, got {type(value).__name__}")
    return float(value)


def random_task(rng):
    args = rng.sample(WORDS, rng.randint(1, 3))
    name = "_".join(rng.sample(WORDS, 2))
    return {"name": name, "args": ", ".join(args),
            "description": f"{rng.choice(VERBS)} the {rng.choice(WORDS)} of {' and '.join(args)}.",
            "example": [f"{name}({', '.join(str(rng.randint(0, 9)) for _ in args)})", str(rng.randint(0, 99))]}


@case
def prompt(student, ctx):
    if ctx.visible:
        tasks = [_task(_catalogue(ctx), "add")]
        ctx.show(task={k: tasks[0][k] for k in ("name", "args", "description", "example")})
    else:
        rng = random.Random(f"{ctx.seed}:prompt")
        tasks = [random_task(rng) for _ in range(6)]
    return {"tasks": tasks, "prompts": [_string(student.build_prompt(dict(t)), "build_prompt") for t in tasks]}


@case
def sampling(student, ctx):
    if ctx.visible:
        cases = [([2.0, 0.5, 0.3], 1.0, 0.5), ([2.0, 0.5, 0.3], 0.5, 0.9), ([2.0, 0.5, 0.3], 0.0, 0.99)]
        ctx.show(cases=[{"logits": l, "temperature": t, "u": u} for l, t, u in cases])
    else:
        rng = random.Random(f"{ctx.seed}:sampling")
        cases = []
        for _ in range(40):
            logits = [round(rng.uniform(-2, 3), 2) for _ in range(rng.randint(2, 6))]
            if rng.random() < 0.2:
                logits[-1] = max(logits)                          # a tie for the top
            cases.append((logits, rng.choice([0.0, 0.2, 0.7, 1.0, 1.5, 3.0]), rng.random()))
    indices = []
    for logits, temperature, u in cases:
        index = student.sample_index(list(logits), temperature, u)
        if isinstance(index, bool) or not isinstance(index, numbers.Integral) or not 0 <= index < len(logits):
            raise ValueError(f"sample_index({logits}, {temperature}, {u}) returned {index!r}: an int index into logits")
        indices.append(int(index))
    return {"cases": [list(c) for c in cases], "indices": indices}


def _programs(ctx):
    catalogue = _catalogue(ctx)
    if ctx.visible:
        names = ["add", "factorial"]
    else:
        rng = random.Random(f"{ctx.seed}:execution")
        names = [rng.choice(LOOP_TASKS), rng.choice(CALM_TASKS)]
    return [(name, i, _task(catalogue, name)) for name in names
            for i in range(len(_task(catalogue, name)["candidates"]))]


@case
def execution(student, ctx):
    out = []
    for name, i, task in _programs(ctx):
        program = student.build_prompt(dict(task)) + task["candidates"][i]["completion"]
        out.append({"task": name, "candidate": i, "status": _status(student.run_candidate(program, list(task["tests"])))})
    if ctx.visible:
        ctx.show(programs=[f"{o['task']} candidate {o['candidate']}" for o in out])
    return {"runs": out}


@case
def pass_at_k(student, ctx):
    if ctx.visible:
        triples = [(10, 3, 1), (10, 3, 5), (5, 0, 2), (5, 5, 3), (4, 1, 4)]
        ctx.show(triples=triples)
    else:
        rng = random.Random(f"{ctx.seed}:pass_at_k")
        triples = []
        for _ in range(40):
            n = rng.choice([rng.randint(1, 20), rng.randint(20, 200), rng.randint(200, 2000)])
            triples.append((n, rng.randint(0, n), rng.randint(1, n)))
        triples += [(2000, 3, 1000), (200, 1, 100), (1000, 999, 1)]
    return {"triples": [list(t) for t in triples],
            "values": [_float(student.pass_at_k(n, c, k), "pass_at_k") for n, c, k in triples]}


@case
def evaluation(student, ctx):
    if ctx.visible:
        return None
    rng = random.Random(f"{ctx.seed}:evaluation")
    name = rng.choice(CALM_TASKS)
    n, k, temperature = rng.randint(10, 30), rng.choice([2, 5]), rng.choice([0.5, 0.8, 1.2])
    result = student.evaluate_task(_model(ctx), dict(_task(_catalogue(ctx), name)), n, k, temperature,
                                   random.Random(f"{ctx.seed}:samples"))
    keys = {"n", "c", "pass@1", f"pass@{k}"}
    if not isinstance(result, dict) or set(result) != keys:
        raise TypeError(f"evaluate_task must return a dict with exactly the keys {sorted(keys)}")
    return {"task": name, "n": n, "k": k, "temperature": temperature,
            "result": {key: _float(value, f"evaluate_task(...)['{key}']") for key, value in result.items()}}
