"""JSON encoding of harness outputs. Arrays travel as base64 `.npy` bytes (never pickle)."""
from __future__ import annotations

import base64
import io
import json
import math
from typing import Any

ARRAY_KEY = "__ndarray__"
FLOAT_KEY = "__float__"


def _encode_array(value: Any) -> dict:
    import numpy as np

    array = np.ascontiguousarray(value)
    if array.dtype == object:
        raise TypeError("object arrays cannot be returned; convert to numbers or lists")
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return {ARRAY_KEY: base64.b64encode(buffer.getvalue()).decode("ascii")}


def to_jsonable(value: Any) -> Any:
    """Convert harness values (numbers, strings, lists, dicts, numpy arrays, torch tensors)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return {FLOAT_KEY: repr(value)}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    type_name = type(value).__module__ + "." + type(value).__name__
    if type_name == "torch.Tensor" or type_name.startswith("torch.nn.parameter"):
        tensor = value.detach().cpu()
        if str(tensor.dtype) == "torch.bfloat16":
            tensor = tensor.float()
        return _encode_array(tensor.numpy())
    if type(value).__module__ == "numpy":
        import numpy as np

        if isinstance(value, np.ndarray):
            return _encode_array(value)
        return to_jsonable(value.item())
    if isinstance(value, (set, frozenset)):
        return sorted(to_jsonable(v) for v in value)
    raise TypeError(f"cannot return a value of type {type(value).__name__}")


def from_jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {ARRAY_KEY}:
            import numpy as np

            raw = base64.b64decode(value[ARRAY_KEY], validate=True)
            return np.load(io.BytesIO(raw), allow_pickle=False)
        if set(value) == {FLOAT_KEY}:
            return float(value[FLOAT_KEY])
        return {k: from_jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_jsonable(v) for v in value]
    return value


def dumps(value: Any) -> str:
    return json.dumps(to_jsonable(value))
