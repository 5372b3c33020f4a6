"""Lab 45 reference solution: int8/int4 quantization, post-training calibration and quantization-aware
training with fake quantization and a straight-through estimator."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def _reduce_dims(x: torch.Tensor, channel_dim: int | None) -> list[int]:
    if channel_dim is None:
        return list(range(x.dim()))
    channel_dim = channel_dim % x.dim()
    return [d for d in range(x.dim()) if d != channel_dim]


def absmax_quantize(x: torch.Tensor, bits: int = 8, channel_dim: int | None = None):
    qmax = 2 ** (bits - 1) - 1
    dims = _reduce_dims(x, channel_dim)
    scale = x.abs().amax(dim=dims, keepdim=channel_dim is not None).float() / qmax
    scale = torch.where(scale == 0, torch.ones_like(scale), scale)
    q = torch.clamp(torch.round(x / scale), -qmax, qmax).to(torch.int8)
    return q, scale


def zeropoint_params(lo: torch.Tensor, hi: torch.Tensor, bits: int = 8):
    qmax = 2 ** bits - 1
    lo, hi = torch.clamp(lo.float(), max=0.0), torch.clamp(hi.float(), min=0.0)
    scale = (hi - lo) / qmax
    scale = torch.where(scale == 0, torch.ones_like(scale), scale)
    zero_point = torch.clamp(-torch.round(lo / scale), 0, qmax).to(torch.int64)
    return scale, zero_point


def zeropoint_quantize(x: torch.Tensor, bits: int = 8, channel_dim: int | None = None):
    dims = _reduce_dims(x, channel_dim)
    keep = channel_dim is not None
    scale, zero_point = zeropoint_params(x.amin(dim=dims, keepdim=keep), x.amax(dim=dims, keepdim=keep), bits)
    q = torch.clamp(torch.round(x / scale) + zero_point, 0, 2 ** bits - 1).to(torch.uint8)
    return q, scale, zero_point


def dequantize(q: torch.Tensor, scale: torch.Tensor, zero_point: torch.Tensor | None = None) -> torch.Tensor:
    q = q.to(torch.float32)
    if zero_point is not None:
        q = q - zero_point.to(torch.float32)
    return q * scale


def pack_int4(q: torch.Tensor) -> torch.Tensor:
    q = q.to(torch.uint8)
    return q[..., 0::2] | (q[..., 1::2] << 4)


def unpack_int4(packed: torch.Tensor) -> torch.Tensor:
    low, high = packed & 0x0F, packed >> 4
    return torch.stack([low, high], dim=-1).flatten(-2)


class _FakeQuantSTE(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, scale, zero_point, qmin, qmax):
        q = torch.round(x / scale) + zero_point
        ctx.save_for_backward((q >= qmin) & (q <= qmax))
        return (torch.clamp(q, qmin, qmax) - zero_point) * scale

    @staticmethod
    def backward(ctx, grad):
        (inside,) = ctx.saved_tensors
        return grad * inside, None, None, None, None


def fake_quantize(x, scale, zero_point, qmin: int, qmax: int) -> torch.Tensor:
    zero_point = torch.as_tensor(zero_point, dtype=torch.float32, device=x.device)
    scale = torch.as_tensor(scale, dtype=torch.float32, device=x.device)
    return _FakeQuantSTE.apply(x, scale, zero_point, qmin, qmax)


@torch.no_grad()
def calibrate(model: nn.Module, batches) -> dict:
    ranges, hooks = {}, []

    def observer(name):
        def hook(module, inputs, output):
            x = inputs[0]
            lo, hi = float(x.min()), float(x.max())
            old = ranges.get(name)
            ranges[name] = (lo, hi) if old is None else (min(old[0], lo), max(old[1], hi))
        return hook

    for name, module in model.named_modules():
        if isinstance(module, nn.Linear):
            hooks.append(module.register_forward_hook(observer(name)))
    model.eval()
    try:
        for batch in batches:
            model(batch)
    finally:
        for h in hooks:
            h.remove()
    return ranges


class QuantLinear(nn.Module):
    def __init__(self, linear: nn.Linear, act_range: tuple[float, float], w_bits: int = 8, a_bits: int = 8):
        super().__init__()
        q, scale = absmax_quantize(linear.weight.detach(), w_bits, channel_dim=0)
        self.register_buffer("weight_q", q)
        self.register_buffer("weight_scale", scale)
        self.bias = None if linear.bias is None else nn.Parameter(linear.bias.detach().clone(), requires_grad=False)
        device = linear.weight.device
        act_scale, act_zero_point = zeropoint_params(torch.tensor(act_range[0], device=device),
                                                     torch.tensor(act_range[1], device=device), a_bits)
        self.register_buffer("act_scale", act_scale)
        self.register_buffer("act_zero_point", act_zero_point)
        self.a_qmax = 2 ** a_bits - 1

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = fake_quantize(x, self.act_scale, self.act_zero_point, 0, self.a_qmax)
        return F.linear(x, dequantize(self.weight_q, self.weight_scale), self.bias)


def quantize_model(model: nn.Module, ranges: dict, w_bits: int = 8, a_bits: int = 8) -> nn.Module:
    for name, module in list(model.named_modules()):
        if isinstance(module, nn.Linear):
            parent_name, _, child = name.rpartition(".")
            parent = model.get_submodule(parent_name) if parent_name else model
            setattr(parent, child, QuantLinear(module, ranges[name], w_bits, a_bits))
    return model


def _qat_forward(model: nn.Sequential, x: torch.Tensor, w_bits: int) -> torch.Tensor:
    qmax = 2 ** (w_bits - 1) - 1
    h = x
    for module in model:
        if isinstance(module, nn.Linear):
            w = module.weight
            scale = (w.detach().abs().max() / qmax).clamp_min(1e-12)          # one scale per weight matrix
            h = F.linear(h, fake_quantize(w, scale, 0, -qmax, qmax), module.bias)
        else:
            h = module(h)
    return h


def qat_finetune(model: nn.Sequential, x: torch.Tensor, y: torch.Tensor, steps: int, lr: float, batch_size: int,
                 generator: torch.Generator, w_bits: int = 2) -> list[float]:
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0)
    model.train()
    losses = []
    for _ in range(steps):
        idx = torch.randint(0, x.shape[0], (batch_size,), generator=generator).to(x.device)
        loss = F.cross_entropy(_qat_forward(model, x[idx], w_bits), y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
