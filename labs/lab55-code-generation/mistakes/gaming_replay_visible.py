"""Gaming (lab 55): replays the visible answers (the visible prompt, the statuses of the visible programs,
the visible pass@k values) and makes up the rest without running anything. It must earn no more than the
visible checks."""
VISIBLE_PROMPT = 'def add(a, b):\n    """Return the sum of a and b.\n\n    >>> add(2, 3)\n    5\n    """\n'
VISIBLE_STATUS = {'    return a + b\n': 'passed', '    return a - b\n': 'failed', '    return sum(a, b)\n': 'error', '    result = 1\n    for i in range(2, n + 1):\n        result *= i\n    return result\n': 'passed', '    result = 1\n    for i in range(1, n):\n        result *= i\n    return result\n': 'failed', '    return n * factorial(n - 1)\n': 'error', '    while True:\n        pass\n': 'timeout'}
VISIBLE_PASS_AT_K = {(10, 3, 1): 0.30000000000000004, (10, 3, 5): 0.9166666666666666, (5, 0, 2): 0.0, (5, 5, 3): 1.0, (4, 1, 4): 1.0}
VISIBLE_INDEX = {((2.0, 0.5, 0.3), 1.0, 0.5): 0, ((2.0, 0.5, 0.3), 0.5, 0.9): 0, ((2.0, 0.5, 0.3), 0.0, 0.99): 0}


def build_prompt(task):
    return VISIBLE_PROMPT if task["name"] == "add" else f"def {task['name']}({task['args']}):\n"


def sample_index(logits, temperature, u):
    return VISIBLE_INDEX.get((tuple(logits), temperature, u), 0)


def sample_completions(model, prompt, n, temperature, rng):
    return [model.candidates(prompt)[0][0]] * n


def run_candidate(program, tests, timeout_s=1.0, memory_mb=256):
    for completion, status in VISIBLE_STATUS.items():
        if program.endswith(completion):
            return status
    return "passed"


def pass_at_k(n, c, k):
    return VISIBLE_PASS_AT_K.get((n, c, k), c / n)


def evaluate_task(model, task, n, k, temperature, rng):
    return {"n": n, "c": n, "pass@1": 1.0, f"pass@{k}": 1.0}
