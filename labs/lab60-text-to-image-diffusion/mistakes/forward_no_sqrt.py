"""Common mistake (lab 60): the forward process mixes x0 and noise with alpha_bar and 1 - alpha_bar
instead of their square roots (the variances, not the standard deviations)."""
# overrides solution.py: only what differs from the reference solution is below


def q_sample(x0, t, noise, schedule):
    alpha_bar = schedule["alpha_bars"].to(x0.device)[t.to(x0.device)].view(-1, *([1] * (x0.dim() - 1)))
    return alpha_bar.to(x0.dtype) * x0 + (1.0 - alpha_bar).to(x0.dtype) * noise
