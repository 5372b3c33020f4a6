"""Rate limits (the `limits` library, moving windows).

Counters live in Redis when the broker is Redis, so every web process shares them; otherwise in this
process's memory. When Redis cannot be reached the limiter keeps limiting in memory, logs a warning and
tries Redis again a little later: a broker outage must never turn a sign-in into a 500 (docs/security.md)."""
from __future__ import annotations

import logging
import math
import time
from functools import lru_cache

from limits import RateLimitItem, parse_many
from limits.errors import StorageError
from limits.storage import MemoryStorage, RedisStorage
from limits.strategies import MovingWindowRateLimiter

from app.config import get_settings
from app.core.errors import AppError

log = logging.getLogger(__name__)
RETRY_SHARED_STORAGE_AFTER_SECONDS = 30.0
STORAGE_TIMEOUT_SECONDS = 0.5  # a stalled Redis costs a sign-in half a second, not a hung request


class _Limiter:
    """A shared (Redis) limiter with an in-memory stand-in for the time the shared storage is unreachable."""

    def __init__(self, shared_url: str | None) -> None:
        self.shared_url = shared_url
        self.shared = MovingWindowRateLimiter(RedisStorage(
            shared_url, wrap_exceptions=True, socket_connect_timeout=STORAGE_TIMEOUT_SECONDS,
            socket_timeout=STORAGE_TIMEOUT_SECONDS)) if shared_url else None
        self.local = MovingWindowRateLimiter(MemoryStorage())
        self.shared_down_until = 0.0

    def _call(self, method: str, item: RateLimitItem, keys: tuple[str, ...]):
        if self.shared is not None and time.monotonic() >= self.shared_down_until:
            try:
                return getattr(self.shared, method)(item, *keys)
            except StorageError as exc:
                self.shared_down_until = time.monotonic() + RETRY_SHARED_STORAGE_AFTER_SECONDS
                log.warning("rate-limit storage %s is unreachable (%s); limiting in this process's memory and "
                            "retrying it in %.0f s", _redacted(self.shared_url), exc.storage_error,
                            RETRY_SHARED_STORAGE_AFTER_SECONDS)
        return getattr(self.local, method)(item, *keys)

    def hit(self, item: RateLimitItem, *keys: str) -> bool:
        return self._call("hit", item, keys)

    def test(self, item: RateLimitItem, *keys: str) -> bool:
        return self._call("test", item, keys)

    def seconds_until_free(self, item: RateLimitItem, *keys: str) -> int:
        stats = self._call("get_window_stats", item, keys)
        return max(1, math.ceil(stats.reset_time - time.time()))

    def reset(self) -> None:
        self.local.storage.reset()
        if self.shared is not None:
            try:
                self.shared.storage.reset()
            except StorageError:
                pass


def _redacted(url: str | None) -> str:
    """The storage URL without its password, for logs."""
    if not url or "@" not in url:
        return url or ""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://***@{rest.rsplit('@', 1)[1]}"


def _shared_storage_url() -> str | None:
    url = get_settings().broker_url or ""
    return url if url.startswith(("redis://", "rediss://")) else None


@lru_cache
def _limiter() -> _Limiter:
    return _Limiter(_shared_storage_url())


def _too_many(message: str, wait_seconds: int) -> AppError:
    return AppError(429, f"{message} Please try again in {_duration(wait_seconds)}.", "rate_limited")


def _duration(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    return f"{math.ceil(seconds / 60)} minutes"


def enforce(rule: str, *keys: str, message: str = "Too many attempts.") -> None:
    """Count one attempt against every limit of `rule` (e.g. "10/minute;100/hour"); 429 when one is spent."""
    limiter = _limiter()
    for item in parse_many(rule):
        if not limiter.hit(item, *keys):
            raise _too_many(message, limiter.seconds_until_free(item, *keys))


def refuse_if_spent(rule: str, *keys: str, message: str) -> None:
    """429 when a limit of `rule` is spent, without counting this attempt (see `record`)."""
    limiter = _limiter()
    for item in parse_many(rule):
        if not limiter.test(item, *keys):
            raise _too_many(message, limiter.seconds_until_free(item, *keys))


def record(rule: str, *keys: str) -> None:
    """Count one event (e.g. a failed sign-in) against every limit of `rule`."""
    limiter = _limiter()
    for item in parse_many(rule):
        limiter.hit(item, *keys)


def reset() -> None:
    """Forget every counter (tests); works for the in-memory and the Redis storage alike."""
    _limiter().reset()
    _limiter.cache_clear()
