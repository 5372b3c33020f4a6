"""The outbox relay, one per worker process: every few seconds it sends grading jobs (labs' and quiz code
answers') whose task never reached the broker, queues again jobs whose worker stopped beating, and notices
a broker that restarted without persistence (its queued messages are gone) so those jobs are sent again.
Each step is a conditional update or a harmless duplicate send, so several workers may run it at once."""
from __future__ import annotations

import logging
import threading

from app.config import get_settings
from app.core.tasks import prune_embedded_broker
from worker import jobs, quiz_jobs

log = logging.getLogger(__name__)


def broker_identity(celery_app) -> str | None:
    """Redis's run_id changes at every server start; other brokers keep their messages (None)."""
    with celery_app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1)
        client = getattr(connection.default_channel, "client", None)
        if client is None or not hasattr(client, "info"):
            return None
        return str(client.info("server").get("run_id"))


class Relay:
    def __init__(self, celery_app, interval: float | None = None) -> None:
        self.celery_app = celery_app
        self.interval = interval or get_settings().relay_interval_seconds
        self.stopped = threading.Event()
        self.broker_id: str | None = None
        self.thread = threading.Thread(target=self._loop, name="outbox-relay", daemon=True)

    def start(self) -> "Relay":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=10)

    def tick(self) -> int:
        self._notice_broker_restart()
        prune_embedded_broker()
        return jobs.sweep() + quiz_jobs.sweep()

    def _notice_broker_restart(self) -> None:
        """A Redis broker that restarted since the last tick lost its messages. On the first tick the
        previous identity is unknown (the broker may have restarted while no worker ran): queued jobs are
        sent again then too; a duplicate delivery is harmless."""
        identity = broker_identity(self.celery_app)
        if identity is not None and identity != self.broker_id:
            count = jobs.forget_sent_messages() + quiz_jobs.forget_sent_messages()
            if self.broker_id is not None:
                log.warning("the broker restarted and lost its messages: %s queued job(s) sent again", count)
        self.broker_id = identity or self.broker_id

    def _loop(self) -> None:
        while not self.stopped.wait(self.interval):
            try:
                self.tick()
            except Exception:  # noqa: BLE001 - broker or database briefly away: try again next tick
                log.warning("outbox relay: tick failed", exc_info=True)
