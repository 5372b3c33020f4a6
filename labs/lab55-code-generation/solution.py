"""Lab 55 reference solution: a code-generation assistant with execution-based evaluation."""
from __future__ import annotations

import math
import os
import resource
import subprocess
import sys
import tempfile

import numpy as np


# ----------------------------------------------------------------- prompting and sampling

def build_prompt(task):
    """The function signature and a docstring with the description and one doctest example."""
    call, result = task["example"]
    return (f"def {task['name']}({task['args']}):\n"
            f'    """{task["description"]}\n\n'
            f"    >>> {call}\n"
            f"    {result}\n"
            f'    """\n')


def softmax_with_temperature(logits, temperature):
    logits = np.asarray(logits, dtype=np.float64)
    if temperature == 0:
        probabilities = np.zeros_like(logits)
        probabilities[np.argmax(logits)] = 1.0
        return probabilities
    scaled = logits / temperature
    scaled -= scaled.max()
    weights = np.exp(scaled)
    return weights / weights.sum()


def sample_index(logits, temperature, u):
    """Inverse-CDF sampling: the first index whose cumulative probability exceeds u (u in [0, 1))."""
    cumulative = np.cumsum(softmax_with_temperature(logits, temperature))
    return int(min(np.searchsorted(cumulative, u, side="right"), len(cumulative) - 1))


def sample_completions(model, prompt, n, temperature, rng):
    candidates = model.candidates(prompt)
    logits = [logit for _, logit in candidates]
    return [candidates[sample_index(logits, temperature, rng.random())][0] for _ in range(n)]


# ----------------------------------------------------------------- the restricted runner

def _limit_resources(cpu_seconds, memory_bytes):
    def apply():
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
        resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))          # no file writes
        resource.setrlimit(resource.RLIMIT_NPROC, (0, 0))          # no forks from the candidate
    return apply


def run_candidate(program, tests, timeout_s=1.0, memory_mb=256):
    """Run program + tests in a child Python (isolated mode, empty environment, scratch directory, CPU and
    memory limits, wall-clock timeout). Returns "passed", "failed" (an assert failed), "error" (any other
    exception) or "timeout"."""
    source = program + "\n\n" + "\n".join(tests) + "\n"
    with tempfile.TemporaryDirectory() as scratch:
        path = os.path.join(scratch, "candidate.py")
        with open(path, "w", encoding="utf-8") as f:
            f.write(source)
        try:
            done = subprocess.run([sys.executable, "-I", "-S", path], cwd=scratch, env={}, capture_output=True,
                                  text=True, timeout=timeout_s,
                                  preexec_fn=_limit_resources(max(1, math.ceil(timeout_s)), memory_mb * 1024 * 1024))
        except subprocess.TimeoutExpired:
            return "timeout"
    if done.returncode == 0:
        return "passed"
    if done.returncode < 0:                      # killed by a signal: SIGXCPU from the CPU limit
        return "timeout"
    last_line = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""
    return "failed" if last_line.startswith("AssertionError") else "error"


# ----------------------------------------------------------------- pass@k

def pass_at_k(n, c, k):
    """Unbiased pass@k (Chen et al., 2021): 1 - C(n-c, k) / C(n, k), as a stable product."""
    if n - c < k:
        return 1.0
    return float(1.0 - np.prod(1.0 - k / np.arange(n - c + 1, n + 1)))


def evaluate_task(model, task, n, k, temperature, rng):
    prompt = build_prompt(task)
    completions = sample_completions(model, prompt, n, temperature, rng)
    outcomes = {}
    for completion in set(completions):                  # identical samples run once
        outcomes[completion] = run_candidate(prompt + completion, task["tests"])
    c = sum(outcomes[completion] == "passed" for completion in completions)
    return {"n": n, "c": c, "pass@1": pass_at_k(n, c, 1), f"pass@{k}": pass_at_k(n, c, k)}
