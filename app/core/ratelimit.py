"""Rate limits for sign-in and sign-up (the `limits` library; in-memory, or Redis when configured)."""
from __future__ import annotations

from functools import lru_cache

from limits import parse
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from app.config import get_settings
from app.core.errors import AppError


@lru_cache
def _limiter() -> MovingWindowRateLimiter:
    url = get_settings().broker_url or ""
    storage = storage_from_string(url) if url.startswith("redis://") else MemoryStorage()
    return MovingWindowRateLimiter(storage)


def enforce(rule: str, *keys: str) -> None:
    if not _limiter().hit(parse(rule), *keys):
        raise AppError(429, "Too many attempts. Please wait a minute and try again.", "rate_limited")


def reset() -> None:
    """Forget every counter (tests); works for the in-memory and the Redis storage alike."""
    _limiter().storage.reset()
    _limiter.cache_clear()
