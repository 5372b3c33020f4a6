"""Common mistake (lab 45): fake quantization without a straight-through estimator."""
# overrides solution.py: only what differs from the reference solution is below


def fake_quantize(x, scale, zero_point, qmin: int, qmax: int) -> torch.Tensor:
    zero_point = torch.as_tensor(zero_point, dtype=torch.float32, device=x.device)
    scale = torch.as_tensor(scale, dtype=torch.float32, device=x.device)
    return (torch.clamp(torch.round(x / scale) + zero_point, qmin, qmax) - zero_point) * scale
