"""The one job runner for every kind of sandboxed job (a lab submission, a quiz code answer): claim with a
conditional update, run with a heartbeat, record only while still holding the claim, queue again a job whose
sandbox was killed from outside, give up after MAX_ATTEMPTS, and sweep jobs whose worker died or whose task
never reached the broker (the job row is the outbox). A `JobKind` says only what differs between kinds: its
table, its deadline, its inputs, how it is graded and where the result goes (worker/jobs.py,
worker/quiz_jobs.py)."""
from __future__ import annotations

import logging
import threading
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from app.config import get_settings
from app.core.db import session_scope, utcnow
from app.labs.statuses import JobState

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3


class JobKind:
    """What one kind of job does at each step of the runner. `model` is its table (the columns every job
    table has: state, claim_token, worker, attempts, enqueued_at, sent_at, claimed_at, heartbeat_at,
    deadline_at, finished_at, last_error)."""

    model: Any
    label = "job"
    cancelled: tuple[type[BaseException], ...] = ()  # raised by grade() when the owner cancelled the run

    def run_seconds(self, db: Session, job) -> float:
        """How long one run may take (the deadline adds the configured margin)."""
        raise NotImplementedError

    def inputs(self, db: Session, job) -> Any:
        """What grade() needs, read inside the claiming transaction."""
        raise NotImplementedError

    def grade(self, inputs) -> dict | None:
        """The result; None when the sandbox was killed from outside (the job is queued again)."""
        raise NotImplementedError

    def record(self, db: Session, job, result: dict) -> bool:
        """Store the result where its owner sees it (the job row is already done)."""
        raise NotImplementedError

    def record_failure(self, db: Session, job) -> None:
        """Store a platform error for a job that failed MAX_ATTEMPTS times."""
        raise NotImplementedError

    def enqueue(self, db: Session, job) -> None:
        """Send the job's task once `db` commits."""
        raise NotImplementedError

    def claimed(self, db: Session, job) -> None:
        """Mirror the claim where the job's owner looks (e.g. the submission's status)."""

    def requeued(self, db: Session, job) -> None:
        """Mirror a job put back in the queue."""

    def finished(self, inputs, result: dict) -> None:
        """After the result was recorded and committed (metrics)."""

    # the runner's steps for this kind (what its task, the relay and the tests call)
    def claim(self, db: Session, job_id: int, worker: str) -> str | None:
        return claim(self, db, job_id, worker)

    def finish(self, db: Session, job_id: int, token: str, result: dict) -> bool:
        return finish(self, db, job_id, token, result)

    def run(self, job_id: int, worker: str) -> str:
        return run(self, job_id, worker)

    def sweep(self, now=None) -> int:
        return sweep(self, now)

    def forget_sent_messages(self) -> int:
        return forget_sent_messages(self)


def claim(kind: JobKind, db: Session, job_id: int, worker: str) -> str | None:
    """Move a queued job to running; None when another delivery already has it."""
    model = kind.model
    job = db.get(model, job_id)
    if job is None:
        return None
    deadline = utcnow() + timedelta(seconds=kind.run_seconds(db, job) + get_settings().job_deadline_margin_seconds)
    token = uuid.uuid4().hex
    claimed = db.execute(update(model).where(model.id == job_id, model.state == JobState.QUEUED)
                         .values(state=JobState.RUNNING, claim_token=token, worker=worker, claimed_at=utcnow(),
                                 heartbeat_at=utcnow(), deadline_at=deadline, attempts=model.attempts + 1)).rowcount
    if claimed != 1:
        return None
    kind.claimed(db, job)
    return token


def finish(kind: JobKind, db: Session, job_id: int, token: str, result: dict) -> bool:
    """Record the result only if this worker still holds the claim (a swept job is not graded twice)."""
    model = kind.model
    done = db.execute(update(model).where(model.id == job_id, model.claim_token == token,
                                          model.state == JobState.RUNNING)
                      .values(state=JobState.DONE, finished_at=utcnow(),
                              last_error=result.get("platform_error"))).rowcount
    if done != 1:
        return False
    job = db.get(model, job_id)
    db.refresh(job)  # the claim and this update were bulk UPDATEs
    return kind.record(db, job, result)


def run(kind: JobKind, job_id: int, worker: str) -> str:
    with session_scope() as db:
        token = claim(kind, db, job_id, worker)
        if token is None:
            return "skipped"
        inputs = kind.inputs(db, db.get(kind.model, job_id))
    try:
        with Heartbeat(kind, job_id, token):
            result = kind.grade(inputs)
    except kind.cancelled:
        log.info("%s %s: cancelled while running; its sandbox was stopped", kind.label, job_id)
        return "cancelled"
    if result is None:
        log.warning("%s %s: its sandbox was killed from outside; queued again", kind.label, job_id)
        release(kind, job_id, token)
        return "released"
    with session_scope() as db:
        recorded = finish(kind, db, job_id, token, result)
    if recorded:
        kind.finished(inputs, result)
    return "graded" if recorded else "stale"


class Heartbeat:
    """While a job runs, its row says so every few seconds; a job whose heartbeat stops (its worker died)
    is queued again by the sweep within `heartbeat_timeout_seconds`, not after its whole deadline."""

    def __init__(self, kind: JobKind, job_id: int, token: str) -> None:
        self.kind, self.job_id, self.token = kind, job_id, token
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"heartbeat-{job_id}", daemon=True)

    def __enter__(self) -> "Heartbeat":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        self.thread.join()

    def _beat(self) -> None:
        model, interval = self.kind.model, get_settings().heartbeat_seconds
        while not self.stopped.wait(interval):
            try:
                with session_scope() as db:
                    db.execute(update(model).where(model.id == self.job_id, model.claim_token == self.token)
                               .values(heartbeat_at=utcnow()))
            except Exception:  # noqa: BLE001 - a missed beat is retried; the sweep tolerates a few
                log.warning("%s %s: heartbeat not recorded", self.kind.label, self.job_id, exc_info=True)


def release(kind: JobKind, job_id: int, token: str) -> None:
    """Put a claimed job back in the queue (its sandbox died of something that is not the student's doing)
    and send it again at once."""
    with session_scope() as db:
        job = db.get(kind.model, job_id)
        if job is None or job.claim_token != token or job.state != JobState.RUNNING:
            return
        if job.attempts >= MAX_ATTEMPTS:
            give_up(kind, db, job)
            return
        requeue(kind, db, job, utcnow())
        kind.enqueue(db, job)


def requeue(kind: JobKind, db: Session, job, now) -> None:
    job.state, job.claim_token, job.enqueued_at, job.sent_at = JobState.QUEUED, None, now, None
    kind.requeued(db, job)


def give_up(kind: JobKind, db: Session, job) -> None:
    """A job that failed MAX_ATTEMPTS times is recorded as a platform error (flagged for staff), not retried."""
    job.state, job.finished_at = JobState.DONE, utcnow()
    job.last_error = f"gave up after {job.attempts} attempts"
    db.flush()
    kind.record_failure(db, job)
    log.error("%s %s gave up after %s attempts", kind.label, job.id, job.attempts)


def sweep(kind: JobKind, now=None) -> int:
    """Queue again the jobs whose worker died (heartbeat stopped, or deadline passed) and send the queued
    jobs whose task never reached the broker (the job row is the outbox) or whose message may be lost."""
    model = kind.model
    now = now or utcnow()
    settings = get_settings()
    silent_since = now - timedelta(seconds=settings.heartbeat_timeout_seconds)
    unsent_before = now - timedelta(seconds=settings.outbox_grace_seconds)
    lost_before = now - timedelta(seconds=settings.job_deadline_margin_seconds * 5)
    with session_scope() as db:
        stuck = list(db.scalars(select(model).where(
            model.state == JobState.RUNNING,
            or_(model.deadline_at < now, func.coalesce(model.heartbeat_at, model.claimed_at) < silent_since))))
        for job in [j for j in stuck if j.attempts >= MAX_ATTEMPTS]:
            give_up(kind, db, job)
        stuck = [j for j in stuck if j.attempts < MAX_ATTEMPTS]
        for job in stuck:
            requeue(kind, db, job, now)
        lost = list(db.scalars(select(model).where(
            model.state == JobState.QUEUED,
            or_(and_(model.sent_at.is_(None), model.enqueued_at < unsent_before), model.enqueued_at < lost_before))))
        for job in lost:
            job.enqueued_at = now
        for job in {j.id: j for j in stuck + lost}.values():
            kind.enqueue(db, job)
        count = len(stuck) + len(lost)
    if count:
        log.info("sweep re-queued %s %s(s)", count, kind.label)
    return count


def forget_sent_messages(kind: JobKind) -> int:
    """The broker lost its messages (restarted without persistence): every queued job is unsent again."""
    with session_scope() as db:
        return db.execute(update(kind.model).where(kind.model.state == JobState.QUEUED)
                          .values(sent_at=None)).rowcount
