"""Server-sent events for a waiting submission's page (docs/architecture.md, "A submission's life"): the
live output tail and training metrics, and status changes, pushed as they happen instead of polled.
Display only; the page keeps its 1 s HTMX poll as the fallback where EventSource is missing or fails."""
from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from app.core.db import session_factory
from app.labs.models import Submission

POLL_SECONDS = 0.5
PING_SECONDS = 5.0  # a quiet stream still says it is alive; the page polls again if it hears nothing
STREAM_SECONDS = 120.0  # then the stream ends and EventSource reconnects (bounded connections per server)


def _read(request: Request, submission_id: int) -> tuple[str, dict | None, dict]:
    from app.labs.service import queue_info

    override = getattr(request.app.state, "session_override", None)
    db = override or session_factory()()
    try:
        if override is not None:
            db.expire_all()
        submission = db.get(Submission, submission_id)
        if submission is None:
            return "gone", None, {}
        queue = queue_info(db, submission) if submission.status in ("queued", "running") else {}
        return submission.status, submission.live, queue
    finally:
        if override is None:
            db.close()


def _event(name: str, data: dict) -> str:
    return f"event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


async def stream(request: Request, submission_id: int) -> AsyncIterator[str]:
    yield "retry: 1000\n\n"
    last_status: tuple | None = None
    last_live: dict | None = None
    started = last_sent = time.monotonic()
    while time.monotonic() - started < STREAM_SECONDS:
        if await request.is_disconnected():
            return
        status, live, queue = await run_in_threadpool(_read, request, submission_id)
        key = (status, queue.get("position"), queue.get("preparing"))
        if key != last_status:
            last_status, last_sent = key, time.monotonic()
            yield _event("status", {"status": status, "position": queue.get("position"),
                                    "estimate_s": queue.get("estimate_s"), "preparing": bool(queue.get("preparing"))})
        if status not in ("queued", "running"):
            return
        if live and live != last_live:
            last_live, last_sent = live, time.monotonic()
            yield _event("live", {"tail": live.get("tail", ""), "metrics": live.get("metrics", [])})
        elif time.monotonic() - last_sent >= PING_SECONDS:
            last_sent = time.monotonic()
            yield _event("ping", {})
        await asyncio.sleep(POLL_SECONDS)
