"""What /healthz reports: whether the database and the broker answer right now, each checked with a short
timeout, so a load balancer or an operator sees an outage instead of a cheerful "ok"."""
from __future__ import annotations

import time

from sqlalchemy import text

from app.config import Settings

BROKER_TIMEOUT_SECONDS = 1.0


def check_database() -> dict:
    from app.core.db import get_engine

    engine = get_engine()
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        return {"ok": False, "kind": engine.dialect.name, "error": type(exc).__name__}
    return {"ok": True, "kind": engine.dialect.name}


def check_broker(settings: Settings) -> dict:
    url = settings.celery_broker_url
    kind = url.split(":", 1)[0]
    if not kind.startswith("redis"):
        return {"ok": True, "kind": kind}  # the embedded broker is a file beside the database
    import redis

    started = time.monotonic()
    try:
        client = redis.Redis.from_url(url, socket_timeout=BROKER_TIMEOUT_SECONDS,
                                      socket_connect_timeout=BROKER_TIMEOUT_SECONDS)
        client.ping()
    except redis.RedisError as exc:
        return {"ok": False, "kind": kind, "error": type(exc).__name__}
    return {"ok": True, "kind": kind, "ms": round((time.monotonic() - started) * 1000, 1)}


def health(settings: Settings) -> tuple[int, dict]:
    database, broker = check_database(), check_broker(settings)
    healthy = database["ok"] and broker["ok"]
    return (200 if healthy else 503), {"status": "ok" if healthy else "degraded", "database": database["kind"],
                                       "broker": broker["kind"], "checks": {"database": database, "broker": broker},
                                       "insecure_sandbox": settings.insecure_sandbox}
