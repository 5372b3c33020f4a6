"""Common mistake (lab 42): the clock starts before the warm-up calls, so the slow first call is timed."""
# overrides solution.py: only what differs from the reference solution is below


def time_steps(step_fn, warmup_steps, timed_steps):
    """Mean wall-clock seconds per call of step_fn, after warmup_steps untimed calls."""
    started = time.perf_counter()
    for _ in range(warmup_steps):
        step_fn()
    for _ in range(timed_steps):
        step_fn()
    return (time.perf_counter() - started) / timed_steps
