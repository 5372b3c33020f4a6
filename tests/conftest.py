"""Test fixtures. Each test runs inside a transaction that is rolled back at the end.

The database is the embedded SQLite by default; set LLMCOURSE_TEST_DATABASE_URL (e.g. PostgreSQL) and
LLMCOURSE_TEST_BROKER_URL (e.g. Redis) to run the same suite against real services, as CI does."""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest

_DATA_DIR = Path(tempfile.mkdtemp(prefix="llmcourse-test-"))
os.environ["LLMCOURSE_DATA_DIR"] = str(_DATA_DIR)
if os.environ.get("LLMCOURSE_TEST_DATABASE_URL"):
    os.environ["LLMCOURSE_DATABASE_URL"] = os.environ["LLMCOURSE_TEST_DATABASE_URL"]
if os.environ.get("LLMCOURSE_TEST_BROKER_URL"):
    os.environ["LLMCOURSE_BROKER_URL"] = os.environ["LLMCOURSE_TEST_BROKER_URL"]
os.environ.setdefault("LLMCOURSE_SECRET_KEY", "suite-only-key-4f9c1d7a2b6e8f3a5c0d9e1b7a4f2c6d")

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from app.config import get_settings  # noqa: E402
from app.core import ratelimit  # noqa: E402
from app.core.db import get_engine  # noqa: E402

SENT: list[tuple[str, list, str]] = []  # every task sent after commit: (name, args, queue)
SENT_TASKS: list[tuple[int, str]] = []  # grading tasks only: (job id, queue)


def _record_sent(name: str, args: list, queue: str, on_sent=None) -> None:
    from app.core.tasks import GRADE_SUBMISSION

    SENT.append((name, list(args), queue))
    if name == GRADE_SUBMISSION:
        SENT_TASKS.append((args[0], queue))


def _reset_schema() -> None:
    engine = get_engine()
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    from app.core.migrate import upgrade

    upgrade(get_settings().sqlalchemy_url)


@pytest.fixture(scope="session")
def migrated_engine():
    _reset_schema()
    return get_engine()


@pytest.fixture(scope="session", autouse=True)
def session_events():
    """What create_app(), the worker and the command line install at start (app/events.py)."""
    from app.events import install_session_events

    install_session_events()


@pytest.fixture(scope="session")
def synced_content(migrated_engine):
    """The real course and labs loaded once, committed, shared by all tests."""
    from app.content import sync_content

    with Session(migrated_engine) as db:
        report, errors = sync_content(db, get_settings())
        assert not errors, errors.messages
        db.commit()
    return report


@pytest.fixture
def db(migrated_engine, synced_content, monkeypatch):
    """A session inside an outer transaction that is rolled back after the test."""
    connection = migrated_engine.connect()
    outer = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    monkeypatch.setattr("app.core.tasks.deliver", _record_sent)
    try:
        yield session
    finally:
        session.close()
        outer.rollback()
        connection.close()
        SENT_TASKS.clear()
        SENT.clear()


@pytest.fixture
def app(db):
    from app.main import create_app

    application = create_app()
    application.state.session_override = db
    ratelimit.reset()
    return application


@pytest.fixture
def client(app, db):
    """Each request first commits what the test set up (to the savepoint level), so a request that
    rolls back its own work never rolls back the test's data."""
    with TestClient(app, base_url="http://testserver") as test_client:
        test_client.event_hooks["request"] = [lambda request: db.commit()]
        yield test_client


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in page"
    return match.group(1)


def login(client: TestClient, email: str, password: str = "password123") -> str:
    """Sign in through the form; returns the session's CSRF token."""
    token = csrf_from(client.get("/login").text)
    response = client.post("/login", data={"email": email, "password": password, "csrf_token": token},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    return token


@pytest.fixture
def factory(db):
    from tests.factories import Factory

    return Factory(db)
