"""Gaming (lab 42): answers the visible cases from memory, invents timings and throughput, and reports
a falling loss curve without training. It must earn no more than the visible checks."""
# overrides solution.py: only what differs from the reference solution is below

VISIBLE_SCALED = {("linear", 32): 0.1, ("linear", 64): 0.2, ("linear", 256): 0.8, ("linear", 16): 0.05,
                  ("sqrt", 32): 0.1, ("sqrt", 64): 0.14142135623730953, ("sqrt", 256): 0.28284271247461906,
                  ("sqrt", 16): 0.07071067811865477}


def scale_learning_rate(base_lr, base_batch_size, batch_size, rule="linear"):
    if rule not in ("linear", "sqrt"):
        raise ValueError(rule)
    return VISIBLE_SCALED.get((rule, batch_size), base_lr)


def warmup_learning_rate(step, peak_lr, warmup_steps):
    return [0.2, 0.4, 0.6, 0.8, 0.8, 0.8, 0.8][step] if step < 7 else peak_lr


def time_steps(step_fn, warmup_steps, timed_steps):
    for _ in range(warmup_steps + timed_steps):
        step_fn()
    return 0.005                        # "about 5 ms", as the visible case said


def throughput_table(make_step, batch_sizes, seq_len, warmup_steps, timed_steps):
    return [{"batch_size": b, "seconds_per_step": 1e-4, "examples_per_second": b * 1e4,
             "tokens_per_second": b * seq_len * 1e4} for b in batch_sizes]


def grad_sq_norm(model, loss_fn, inputs, targets):
    return 1.0


def gradient_noise_scale(model, loss_fn, small_batches, large_batches):
    return {"g2_small": 1.0, "g2_large": 0.5, "grad_sq": 0.4, "trace_sigma": 2.0, "b_simple": 5.0}


def train_with_batch_size(model, contexts, targets, *, batch_size, base_batch_size, base_lr, warmup_steps,
                          examples_budget, seed, rule="linear"):
    steps = examples_budget // batch_size
    return [2.8 - 1.0 * step / steps for step in range(steps)]
