"""Configuration a process checks before it serves: connection URLs that cannot work get one clear message
and a non-zero exit (never a traceback, never a storm of platform errors later). Reachability is reported
by the health checks (/healthz on the web and on each worker), because a database or broker that is down
at start may come back."""
from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from app.config import Settings

BROKER_SCHEMES = ("redis", "rediss", "sqla+sqlite")


def url_problems(settings: Settings) -> list[str]:
    problems = []
    if settings.database_url:
        hint = "use postgresql+psycopg://USER:PASSWORD@HOST:5432/DB (or sqlite:///PATH)."
        try:
            url = make_url(settings.database_url)
        except ArgumentError:
            problems.append(f"LLMCOURSE_DATABASE_URL is not a database URL; {hint}")
        else:
            try:
                url.get_dialect()
            except NoSuchModuleError:
                problems.append(f"LLMCOURSE_DATABASE_URL names an unknown database driver {url.drivername!r}; {hint}")
    if settings.broker_url:
        scheme = settings.broker_url.split("://", 1)[0] if "://" in settings.broker_url else ""
        if scheme not in BROKER_SCHEMES:
            problems.append(f"LLMCOURSE_BROKER_URL must be redis://[:PASSWORD@]HOST:6379/0 (or rediss://); got "
                            f"{(scheme or settings.broker_url[:20])!r}.")
    return problems


def database_unreachable(exc: Exception, settings: Settings) -> str:
    """The message for a database that did not answer (its password is never shown)."""
    url = make_url(settings.sqlalchemy_url)
    where = f"{url.host}:{url.port or 5432}" if url.host else url.database
    reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0][:300]
    return f"Cannot reach the database at {where} ({reason}). Check LLMCOURSE_DATABASE_URL and that the server is up."
