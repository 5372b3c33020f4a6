"""Checking what the student's functions return, inside the sandbox (harness.py), with errors in the
lab's terms. A harness raises them before its outputs are compared: the student sees the message as the
check's feedback ("wikitext_to_plain must return a str, got NoneType") instead of a comparison failure.

    from labkit.returns import array, number, str_list, text

    return text(student.wikitext_to_plain(raw), "wikitext_to_plain")
    return array(student.cosine_similarity(a, b), "cosine_similarity", shape=(4, 5))
"""
from __future__ import annotations

import math
import numbers
from typing import Any


def text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} must return a str, got {type(value).__name__}")
    return value


def integer(value: Any, what: str) -> int:
    """An int (numpy integers too; never a bool)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{what} must return an int, got {value!r:.80}")
    return int(value)


def number(value: Any, what: str, *, allow_nan: bool = True) -> float:
    """A float (ints and numpy scalars too; never a bool); NaN refused unless allow_nan."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{what} must return a float, got {type(value).__name__}")
    value = float(value)
    if not allow_nan and math.isnan(value):
        raise ValueError(f"{what} returned NaN")
    return value


def str_list(value: Any, what: str, *, allow_tuple: bool = False) -> list[str]:
    """A list of str (a tuple too when allow_tuple); returned as a new list."""
    kinds = (list, tuple) if allow_tuple else list
    if not isinstance(value, kinds):
        raise TypeError(f"{what} must return a list of strings, got {type(value).__name__}")
    bad = next((v for v in value if not isinstance(v, str)), None)
    if bad is not None:
        raise TypeError(f"{what} must return a list of strings, but it contains {bad!r:.60} "
                        f"({type(bad).__name__})")
    return list(value)


def array(value: Any, what: str, shape: tuple | None = None, kinds: str = "biuf"):
    """A dense numpy array (a torch tensor is converted) whose dtype kind is in `kinds` and, when given,
    of exactly `shape`."""
    import numpy as np

    if type(value).__module__.startswith("torch"):
        value = value.detach().cpu().numpy()
    if hasattr(value, "toarray") and not isinstance(value, np.ndarray):
        raise TypeError(f"{what} returned a sparse matrix; return a dense numpy array (call .toarray())")
    if not isinstance(value, np.ndarray):
        raise TypeError(f"{what} must return a numpy array, got {type(value).__name__}")
    if value.dtype.kind not in kinds:
        raise TypeError(f"{what} must return numbers, got an array of dtype {value.dtype}")
    if shape is not None and value.shape != tuple(shape):
        raise ValueError(f"{what} returned shape {value.shape}; expected {tuple(shape)}")
    return value
