"""Settings from LLMCOURSE_* environment variables; unset means the embedded default."""
from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

# Where course/, labs/, migrations/ and alembic.ini live: the source tree, or LLMCOURSE_PROJECT_DIR where the
# package is installed from a wheel (the container images set /app).
PROJECT_ROOT = Path(os.environ.get("LLMCOURSE_PROJECT_DIR") or Path(__file__).resolve().parent.parent)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LLMCOURSE_", extra="ignore")

    data_dir: Path = Field(default_factory=lambda: Path.cwd() / "data")
    database_url: str | None = None
    broker_url: str | None = None
    secret_key: str | None = None
    course_dir: Path = PROJECT_ROOT / "course"
    labs_dir: Path = PROJECT_ROOT / "labs"
    base_url: str = "http://127.0.0.1:8000"
    # Runs student code without bubblewrap. Development only; the UI shows a warning banner.
    insecure_sandbox: bool = False
    sandbox_uid: int = 65534
    max_upload_bytes: int = 256 * 1024
    max_form_bytes: int = 512 * 1024
    login_rate_limit: str = "10/minute"  # sign-in attempts per client address
    # Failed sign-ins per account (email) from any address: slows password guessing spread over many
    # addresses, while an owner locked out by someone else's guesses waits minutes, not a day.
    login_account_rate_limit: str = "5/minute;30/hour"
    signup_rate_limit: str = "5/minute"
    # Reverse proxies whose X-Forwarded-For names the client: comma-separated IPs or CIDR networks. Empty:
    # the socket peer is the client (app/core/proxies.py).
    trusted_proxies: str = ""
    # Per student (staff are exempt): submissions queued or running at once, and how fast new ones may come.
    max_active_submissions: int = 5
    submission_rate_limit: str = "10/minute"
    job_deadline_margin_seconds: int = 60
    # Outbox and heartbeats: a running job beats every heartbeat_seconds; one silent for
    # heartbeat_timeout_seconds is queued again; a job whose task was not sent within outbox_grace_seconds
    # is sent by the relay, which runs in every worker every relay_interval_seconds.
    heartbeat_seconds: float = 5.0
    heartbeat_timeout_seconds: float = 20.0
    outbox_grace_seconds: float = 2.0
    relay_interval_seconds: float = 2.0
    sweep_interval_seconds: float = 30.0
    # Real models (e.g. bert-base-uncased/ with config.json and weights) that labs naming them in their
    # manifest's `models` use instead of the tiny pre-trained stand-ins the platform builds.
    models_dir: Path | None = None
    # Device nodes a gpu-queue worker binds into its gpu labs' sandboxes, comma-separated (e.g.
    # "/dev/nvidia0,/dev/nvidiactl,/dev/nvidia-uvm"), or "auto": the NVIDIA nodes this container sees (the
    # one GPU docker's device_ids gave it). Empty: no GPU; gpu labs run their CPU-sized configuration on a
    # worker that also takes cpu jobs, and a gpu-only worker refuses to start consuming (worker/selfcheck.py).
    gpu_devices: str = ""
    # The worker's start-up sandbox self-check (worker/selfcheck.py): "auto" requires cgroup memory and pids
    # limits outside the embedded mode and only warns in it (a laptop falls back to rlimits); "strict"
    # always requires them; "off" skips the check.
    sandbox_selfcheck: str = "auto"
    # A worker serves /metrics and /healthz on this port (0: none; the worker image sets 9808).
    worker_metrics_port: int = 0
    secure_cookies: bool = False
    # A signed-in browser is signed out after this long without a request, and in any case this long after
    # signing in (server-side: app/users/sessions.py).
    session_idle_timeout_seconds: int = 7 * 24 * 3600
    session_lifetime_seconds: int = 30 * 24 * 3600
    # Workers fork each submission from a zygote that already imported the lab's libraries (worker/zygote.py).
    warm_start: bool = True
    # A starting worker builds lab artifacts and reference outputs in the background.
    prepare_labs_on_start: bool = True

    @property
    def resolved_data_dir(self) -> Path:
        path = self.data_dir.expanduser().resolve()
        path.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def embedded(self) -> bool:
        """The single-machine mode: SQLite and the embedded broker, with a secret generated in the data dir."""
        return not self.database_url and not self.broker_url

    @property
    def sqlalchemy_url(self) -> str:
        return self.database_url or f"sqlite:///{self.resolved_data_dir / 'llmcourse.db'}"

    @property
    def celery_broker_url(self) -> str:
        return self.broker_url or f"sqla+sqlite:///{self.resolved_data_dir / 'broker.db'}"

    @property
    def session_secret(self) -> str:
        if self.secret_key:
            return self.secret_key
        path = self.resolved_data_dir / "secret_key"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()

    @property
    def runs_dir(self) -> Path:
        path = self.resolved_data_dir / "runs"
        path.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def references_dir(self) -> Path:
        path = self.resolved_data_dir / "references"
        path.mkdir(parents=True, exist_ok=True)
        return path


@lru_cache
def get_settings() -> Settings:
    return Settings()
