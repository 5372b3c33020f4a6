"""Lab 55: a code-generation assistant, evaluated by running its code.

Fill in every function marked TODO and submit this file as codegen.py. Standard library and numpy only.

A task is a dict {"name": str, "args": str ("a, b"), "description": str, "example": [call: str, result: str],
"tests": [assert statements as str]}. The model (the lab's stand-in, data/stand_in_model.py) has
model.candidates(prompt) -> [(completion: str, logit: float)], the function bodies it proposes.
"""
from __future__ import annotations

import math
import os
import resource
import subprocess
import sys
import tempfile

import numpy as np


def build_prompt(task):
    """The prompt, exactly:
    def NAME(ARGS):
        \"\"\"DESCRIPTION

        >>> CALL
        RESULT
        \"\"\"
    (4-space indentation inside the function, a newline after the closing quotes)."""
    # TODO
    raise NotImplementedError("build_prompt")


def sample_index(logits, temperature, u):
    """Index sampled from softmax(logits / temperature) with the uniform number u in [0, 1): the first index
    whose cumulative probability exceeds u. temperature == 0 means greedy: the first index of the largest
    logit. Returns an int."""
    # TODO
    raise NotImplementedError("sample_index")


def sample_completions(model, prompt, n, temperature, rng):
    """n completions, each model.candidates(prompt)[sample_index(logits, temperature, rng.random())][0]."""
    # TODO
    raise NotImplementedError("sample_completions")


def run_candidate(program, tests, timeout_s=1.0, memory_mb=256):
    """Run program followed by the tests (one per line) in a child Python process: isolated mode (-I),
    an empty environment, a scratch working directory, CPU-time, memory, file-size and process limits
    (resource.setrlimit in preexec_fn), and a wall-clock timeout. Returns "passed" (exit status 0),
    "failed" (an AssertionError), "error" (any other exception) or "timeout"."""
    # TODO
    raise NotImplementedError("run_candidate")


def pass_at_k(n, c, k):
    """Unbiased pass@k for n samples of which c pass: 1 - C(n-c, k) / C(n, k), computed stably; a float."""
    # TODO
    raise NotImplementedError("pass_at_k")


def evaluate_task(model, task, n, k, temperature, rng):
    """Prompt the model, sample n completions, run prompt + completion against task["tests"], and return
    {"n": n, "c": passing samples, "pass@1": float, f"pass@{k}": float}."""
    # TODO
    raise NotImplementedError("evaluate_task")
