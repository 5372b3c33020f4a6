"""Common mistake (lab 29): the interval uses the normal quantile 1.96 whatever the number of seeds.
With 3 runs the t quantile is 4.30, so the interval is less than half as wide as it should be."""
# overrides solution.py: only what differs from the reference solution is below


def confidence_interval(values, confidence=0.95):
    n = len(values)
    mean = sum(values) / n
    std = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    half = stats.norm.ppf((1 + confidence) / 2) * std / math.sqrt(n)
    return mean, mean - half, mean + half
