"""The `llmcourse` command line (see DESIGN.md for the stable contract)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import typer

from app.config import get_settings

cli = typer.Typer(help="LLM Course Platform", no_args_is_help=True, add_completion=False)
db_cli = typer.Typer(help="Database migrations", no_args_is_help=True)
content_cli = typer.Typer(help="Course content in course/ and labs/", no_args_is_help=True)
users_cli = typer.Typer(help="Accounts and API tokens", no_args_is_help=True)
labs_cli = typer.Typer(help="Labs", no_args_is_help=True)
demo_cli = typer.Typer(help="Demo data", no_args_is_help=True)
cli.add_typer(db_cli, name="db")
cli.add_typer(content_cli, name="content")
cli.add_typer(users_cli, name="users")
cli.add_typer(labs_cli, name="labs")
cli.add_typer(demo_cli, name="demo")


def fail(message: str, code: int = 1) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def exit_on_insecure_defaults() -> None:
    """Commands that serve (web, worker) exit before starting anything when a secret is a known default or a
    connection URL cannot work (app/core/startup.py)."""
    from app.core.secret_policy import InsecureConfigurationError, refuse_insecure_defaults
    from app.core.startup import url_problems

    problems = url_problems(get_settings())
    if problems:
        fail("Refusing to start: " + " ".join(problems))
    try:
        refuse_insecure_defaults(get_settings())
    except InsecureConfigurationError as exc:
        fail(str(exc))


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Apply migrations up to head."""
    from sqlalchemy.exc import OperationalError

    from app.core.migrate import upgrade
    from app.core.startup import database_unreachable, url_problems

    settings = get_settings()
    problems = url_problems(settings)
    if problems:
        fail(" ".join(problems))
    try:
        upgrade(settings.sqlalchemy_url)
    except OperationalError as exc:
        fail(database_unreachable(exc, settings))
    typer.echo("database is at head")


@content_cli.command("sync")
def content_sync() -> None:
    """Load course/ and labs/ into the database (idempotent)."""
    from app.content import sync_content
    from app.core.db import session_scope

    with session_scope() as db:
        report, errors = sync_content(db, get_settings())
    if errors:
        for message in errors.messages:
            typer.echo(message, err=True)
        fail(f"{len(errors.messages)} error(s); nothing was loaded")
    if report.changed:
        typer.echo(f"created {len(report.created)}, updated {len(report.updated)}, "
                   f"deactivated {len(report.deactivated)}")
    else:
        typer.echo("content is up to date (nothing changed)")


@users_cli.command("create")
def users_create(email: str = typer.Option(...), password: str = typer.Option(...),
                 role: str = typer.Option("student"), name: str = typer.Option("")) -> None:
    """Create a user with any role."""
    from app.core.db import session_scope
    from app.core.errors import AppError
    from app.users import service

    try:
        with session_scope() as db:
            user = service.create_user(db, email, password, name, role)
            typer.echo(f"created {user.role} {user.email} (id {user.id})")
    except AppError as exc:
        fail(exc.message)


@users_cli.command("token")
def users_token(email: str = typer.Option(...), name: str = typer.Option("cli")) -> None:
    """Print a new personal API token for a user."""
    from app.core.db import session_scope
    from app.users import service

    with session_scope() as db:
        user = service.get_by_email(db, email)
        if user is None:
            fail(f"no user with email {email}")
        _, token = service.create_token(db, user, name)
    typer.echo(token)


@users_cli.command("role")
def users_role(email: str = typer.Option(...), role: str = typer.Option(...)) -> None:
    """Change a user's role; the account is signed out everywhere (its sessions had the old role)."""
    from app.core.db import session_scope
    from app.core.errors import AppError
    from app.users import service

    try:
        with session_scope() as db:
            user = service.get_by_email(db, email)
            if user is None:
                fail(f"no user with email {email}")
            service.change_role(db, user, role)
            typer.echo(f"{user.email} is now {user.role}; signed out everywhere")
    except AppError as exc:
        fail(exc.message)


@labs_cli.command("list")
def labs_list(as_json: bool = typer.Option(False, "--json")) -> None:
    """Gradeable labs (--json: the same list as GET /api/v1/labs)."""
    from app.core.db import session_scope
    from app.labs.api import lab_list

    with session_scope() as db:
        labs = lab_list(db)
    if as_json:
        typer.echo(json.dumps(labs, indent=2))
        return
    for lab in labs:
        typer.echo(f"{lab['id']}  week {lab['week']:>2}  {lab['device']}  {lab['max_score']:>5g} pts  {lab['title']}")


@demo_cli.command("seed")
def demo_seed(students: int = typer.Option(..., "--students", help="How many synthetic students."),
              weeks: int = typer.Option(10, help="How many weeks ago the cohort started."),
              seed: int = typer.Option(None, "--seed", help="Random seed (the same seed gives the same history)."),
              cohort_name: str = typer.Option(None, "--cohort-name")) -> None:
    """Fill a new cohort with N synthetic students and a realistic history (progress, quiz attempts, labs)."""
    import time as _time

    from sqlalchemy import select

    from app.content import sync_content
    from app.core.db import session_scope
    from app.core.errors import AppError
    from app.course.models import Week
    from app.demo.seed import seed as run_seed

    started = _time.perf_counter()
    try:
        with session_scope() as db:
            if db.scalar(select(Week.id).limit(1)) is None:
                _, errors = sync_content(db, get_settings())
                if errors:
                    fail("The course content has errors; run `llmcourse content check`.")
            report = run_seed(db, students, weeks=weeks, rng_seed=seed, cohort_name=cohort_name)
            cohort_id, cohort_name, invite = report.cohort.id, report.cohort.name, report.cohort.invite_code
    except AppError as exc:
        fail(exc.message)
    typer.echo(f"created {cohort_name!r} (cohort {cohort_id}, invite code {invite}) with {report.students} students: "
               f"{report.ticks} checklist ticks, {report.submissions} lab submissions, {report.quiz_attempts} quiz "
               f"attempts in {_time.perf_counter() - started:.1f} s")
    if report.instructor_password:
        typer.echo(f"instructor: {report.instructor_email} / {report.instructor_password}")
    else:
        typer.echo(f"instructor: {report.instructor_email} (existing account; admins see every cohort too)")
    typer.echo(f"students sign in as demo-...@example.com with the password {report.student_password}")
    typer.echo(f"dashboard: {get_settings().base_url}/instructor?cohort={cohort_id}")


@cli.command("worker")
def worker(queues: str = typer.Option("cpu,gpu"), concurrency: int = typer.Option(1),
           beat: bool = typer.Option(False, help="Also run the periodic sweep scheduler.")) -> None:
    """Run a Celery worker."""
    exit_on_insecure_defaults()
    argv = [sys.executable, "-m", "celery", "-A", "worker.celery_app", "worker", "-Q", queues,
            "--concurrency", str(concurrency), "--loglevel", "INFO", "--without-gossip", "--without-mingle",
            "--pool", "threads"]
    if beat:
        argv.append("-B")
    os.execv(sys.executable, argv)


def web_command(host: str, port: int, workers: int = 1) -> list[str]:
    """The uvicorn command line that serves the app. uvicorn's own X-Forwarded-For handling is off: by
    default it believes any local client; the app trusts only LLMCOURSE_TRUSTED_PROXIES (app/core/proxies.py)."""
    return [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory", "--host", host, "--port", str(port),
            "--workers", str(workers), "--no-proxy-headers"]


@cli.command("web")
def web(host: str = typer.Option("127.0.0.1"), port: int = typer.Option(8000),
        workers: int = typer.Option(1)) -> None:
    """Serve the web app only (production: behind a reverse proxy named in LLMCOURSE_TRUSTED_PROXIES)."""
    exit_on_insecure_defaults()
    argv = web_command(host, port, workers)
    os.execv(argv[0], argv)


def default_worker_concurrency() -> int:
    """Two job slots per core: a job spends part of its time outside its sandbox (database, broker, checks),
    and with one slot per core the cores idle then (measured: 7 trivial jobs/s with 2 slots on 2 cores, 11
    with 4). At most one slot per 2 GB of memory, what most labs' sandboxes may use."""
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return max(1, min(2 * (os.cpu_count() or 1), int(memory_gb // 2)))


@cli.command("run")
def run(host: str = typer.Option("127.0.0.1"), port: int = typer.Option(8000),
        worker_concurrency: int = typer.Option(
            0, help="Submissions graded at once; 0: two per CPU core, at most one per 2 GB of memory")) -> None:
    """Migrate, load the course, and run web + worker + scheduler with the embedded defaults."""
    from app.core.db import session_scope
    from app.users.service import count_admins

    exit_on_insecure_defaults()
    settings = get_settings()
    db_upgrade()
    content_sync()
    with session_scope() as db:
        if count_admins(db) == 0:
            typer.echo("No admin yet. Create one with:\n  llmcourse users create --email you@example.com "
                       "--password '...' --role admin")
    env = {**os.environ, "LLMCOURSE_DATA_DIR": str(settings.resolved_data_dir)}
    children = [
        subprocess.Popen([sys.executable, "-m", "celery", "-A", "worker.celery_app", "worker", "-Q", "cpu,gpu",
                          "--concurrency", str(worker_concurrency or default_worker_concurrency()), "--loglevel", "INFO", "-B",
                          "--without-gossip", "--without-mingle"], env=env),
        subprocess.Popen(web_command(host, port), env=env),
    ]
    typer.echo(f"LLM Course running on http://{host}:{port}  (Ctrl-C to stop)")
    stop = {"now": False}

    def handle(*_):
        stop["now"] = True

    signal.signal(signal.SIGINT, handle)
    signal.signal(signal.SIGTERM, handle)
    while not stop["now"] and all(c.poll() is None for c in children):
        time.sleep(0.5)
    for child in children:
        if child.poll() is None:
            child.terminate()
    for child in children:
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()


from app.client import register as _register_client  # noqa: E402 - login, submit, status

_register_client(cli)


def main() -> None:
    from app.events import install_session_events

    install_session_events()
    cli()


if __name__ == "__main__":
    main()
