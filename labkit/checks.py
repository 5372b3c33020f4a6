"""Comparisons used by lab checks. Runs OUTSIDE the sandbox, on decoded outputs only."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Verdict:
    passed: bool
    feedback: str = ""
    expected: str | None = None
    got: str | None = None


@dataclass
class CheckContext:
    """What a custom check may look at. `outputs`/`reference` are all cases of this seed."""

    seed: int
    visible: bool
    lab_dir: Path
    outputs: dict = field(default_factory=dict)
    reference: dict = field(default_factory=dict)
    shown: dict = field(default_factory=dict)

    @property
    def private_dir(self) -> Path:
        """Held-out data that never enters the sandbox."""
        return self.lab_dir / "private"


def is_array(value: Any) -> bool:
    return type(value).__module__ == "numpy" and hasattr(value, "shape")


def describe(value: Any, limit: int = 300) -> str:
    if is_array(value):
        import numpy as np

        if value.size <= 64:
            full = np.array2string(value, precision=4, separator=", ", threshold=64)
            return f"array shape {tuple(value.shape)} dtype {value.dtype}:\n{full}"
        preview = np.array2string(value.ravel()[:8], precision=4, separator=", ")
        return f"array shape {tuple(value.shape)} dtype {value.dtype}, first values {preview}"
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def exact(got: Any, expected: Any) -> Verdict:
    if is_array(expected) or is_array(got):
        return allclose(got, expected, rtol=0.0, atol=0.0)
    if got == expected:
        return Verdict(True)
    return Verdict(False, _difference(got, expected), describe(expected), describe(got))


def _difference(got: Any, expected: Any) -> str:
    if type(got) is not type(expected) and not (_is_number(got) and _is_number(expected)):
        return f"expected a {type(expected).__name__}, got a {type(got).__name__}"
    if isinstance(expected, dict):
        missing = [k for k in expected if k not in got]
        extra = [k for k in got if k not in expected]
        if missing:
            return f"{len(missing)} expected key(s) missing, e.g. {missing[0]!r}"
        if extra:
            return f"{len(extra)} unexpected key(s), e.g. {extra[0]!r}"
        wrong = [k for k in expected if got[k] != expected[k]]
        key = wrong[0]
        return f"{len(wrong)} value(s) differ, e.g. {key!r}: expected {describe(expected[key], 80)}, got {describe(got[key], 80)}"
    if isinstance(expected, list):
        if len(got) != len(expected):
            return f"expected {len(expected)} items, got {len(got)}"
        index = next(i for i, (a, b) in enumerate(zip(got, expected)) if a != b)
        return f"item {index} differs: expected {describe(expected[index], 80)}, got {describe(got[index], 80)}"
    return f"expected {describe(expected, 80)}, got {describe(got, 80)}"


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def default_tolerance(dtype: Any) -> tuple[float, float]:
    """rtol/atol suited to the dtype of the expected value."""
    name = str(dtype)
    if "float16" in name or "bfloat16" in name:
        return 1e-2, 1e-2
    if "float32" in name:
        return 1e-4, 1e-5
    return 1e-6, 1e-8


def allclose(got: Any, expected: Any, rtol: float | None = None, atol: float | None = None) -> Verdict:
    import numpy as np

    try:
        want = np.asarray(expected, dtype=float) if not is_array(expected) else expected
        have = np.asarray(got, dtype=float) if not is_array(got) else got
    except (TypeError, ValueError):
        return Verdict(False, f"expected numbers, got {describe(got, 80)}", describe(expected), describe(got))
    if rtol is None or atol is None:
        d_rtol, d_atol = default_tolerance(getattr(want, "dtype", "float64"))
        rtol = d_rtol if rtol is None else rtol
        atol = d_atol if atol is None else atol
    if have.shape != want.shape:
        return Verdict(False, f"shape {tuple(have.shape)} where {tuple(want.shape)} was expected",
                       describe(expected), describe(got))
    if have.dtype.kind not in "fciub":
        return Verdict(False, f"expected numbers, got dtype {have.dtype}", describe(expected), describe(got))
    have64, want64 = have.astype(np.float64), want.astype(np.float64)
    if np.isnan(have64).any() and not np.isnan(want64).any():
        return Verdict(False, "your output contains NaN", describe(expected), describe(got))
    if np.isinf(have64).any() and not np.isinf(want64).any():
        return Verdict(False, "your output contains inf (an overflow or a log of zero?)", describe(expected),
                       describe(got))
    close = np.isclose(have64, want64, rtol=rtol, atol=atol, equal_nan=True)
    if close.all():
        return Verdict(True)
    diff = np.abs(np.nan_to_num(have64 - want64, nan=np.inf))
    index = np.unravel_index(int(np.argmax(diff)), diff.shape) if diff.ndim else ()
    where = f" at index {tuple(int(i) for i in index)}" if diff.ndim else ""
    share = 100.0 * (~close).mean()
    message = (f"{share:.1f}% of values differ; largest difference {float(diff.max()):.3g}{where} "
               f"(expected {float(want64[index]):.6g}, got {float(have64[index]):.6g}; rtol={rtol:g}, atol={atol:g})")
    return Verdict(False, message, describe(expected), describe(got))


def close_number(got: Any, expected: float, rtol: float = 1e-6, atol: float = 1e-9) -> bool:
    return _is_number(got) and math.isclose(float(got), float(expected), rel_tol=rtol, abs_tol=atol)
