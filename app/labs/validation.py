"""What a submitted file must be before anything is stored: small, non-empty UTF-8 text."""
from __future__ import annotations


def validate_code(raw: bytes, max_bytes: int) -> str:
    """Decode an upload or reject it with a reason a person understands (ValueError)."""
    if len(raw) > max_bytes:
        raise ValueError(f"The file is {len(raw) // 1024} KB; the limit is {max_bytes // 1024} KB.")
    if not raw.strip():
        raise ValueError("The file is empty.")
    if b"\x00" in raw:
        raise ValueError("The file looks binary (it contains NUL bytes); submit a Python source file.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"The file is not valid UTF-8 text (byte {exc.start}); save it as UTF-8.") from None
    return text.lstrip("\ufeff")
