"""Lab 45: quantization. Fill in every function; see README.md. Do not call torch.quantization /
torch.ao, torch.quantize_per_tensor or torch.fake_quantize_*: the point is to write them yourself."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def absmax_quantize(x: torch.Tensor, bits: int = 8, channel_dim: int | None = None):
    """Symmetric quantization. Returns (q int8 like x, scale float32: 0-dim per tensor, or size 1 on every dim
    except channel_dim)."""
    raise NotImplementedError


def zeropoint_quantize(x: torch.Tensor, bits: int = 8, channel_dim: int | None = None):
    """Asymmetric (affine) quantization to 0 .. 2^bits - 1. Returns (q uint8 like x, scale float32,
    zero_point int64), scale and zero_point shaped as in absmax_quantize."""
    raise NotImplementedError


def dequantize(q: torch.Tensor, scale: torch.Tensor, zero_point: torch.Tensor | None = None) -> torch.Tensor:
    """float32: (q - zero_point) * scale (zero_point 0 when None)."""
    raise NotImplementedError


def pack_int4(q: torch.Tensor) -> torch.Tensor:
    """uint8 values 0..15, last dim even -> uint8 with half the last dim (element 2i low nibble, 2i+1 high)."""
    raise NotImplementedError


def unpack_int4(packed: torch.Tensor) -> torch.Tensor:
    """The inverse of pack_int4."""
    raise NotImplementedError


def fake_quantize(x, scale, zero_point, qmin: int, qmax: int) -> torch.Tensor:
    """Quantize-dequantize in float32 with a straight-through estimator for the gradient."""
    raise NotImplementedError


def calibrate(model: nn.Module, batches) -> dict:
    """{name of each nn.Linear: (min, max) of its input over all batches} (Python floats)."""
    raise NotImplementedError


class QuantLinear(nn.Module):
    """An nn.Linear with int8-stored weights (absmax per output channel) and statically quantized inputs."""

    def __init__(self, linear: nn.Linear, act_range: tuple[float, float], w_bits: int = 8, a_bits: int = 8):
        super().__init__()
        raise NotImplementedError

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError


def quantize_model(model: nn.Module, ranges: dict, w_bits: int = 8, a_bits: int = 8) -> nn.Module:
    """Replace every nn.Linear by a QuantLinear (in place) and return the model."""
    raise NotImplementedError


def qat_finetune(model: nn.Sequential, x: torch.Tensor, y: torch.Tensor, steps: int, lr: float, batch_size: int,
                 generator: torch.Generator, w_bits: int = 2) -> list[float]:
    """Quantization-aware fine-tuning with fake-quantized weights; returns one loss per step."""
    raise NotImplementedError
