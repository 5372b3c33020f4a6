"""Point 5 of issue 12: sessions live on the server, so that whoever holds a copy of a cookie (stolen from
a shared computer, a proxy log, a backup) loses it at sign-out, password change, role change, and after the
idle and absolute lifetimes."""
from __future__ import annotations

import base64
import json
from datetime import timedelta

import itsdangerous
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from app.config import get_settings
from app.core.db import utcnow
from app.core.security import hash_token
from app.users.models import UserSession
from tests.conftest import csrf_from, login

COOKIE = "llmcourse_session"
HTMX = {"HX-Request": "true"}


def browser(app, db) -> TestClient:
    """A second browser on the same app (its own cookie jar)."""
    other = TestClient(app, base_url="http://testserver")
    other.event_hooks["request"] = [lambda request: db.commit()]
    return other


def attacker_with(app, db, cookie: str) -> TestClient:
    """Someone who copied the victim's cookie into their own browser."""
    thief = browser(app, db)
    thief.cookies.set(COOKIE, cookie)
    return thief


def signed_in(client: TestClient) -> bool:
    response = client.get("/account", follow_redirects=False)
    assert response.status_code in (200, 303), response.status_code
    return response.status_code == 200


def session_row(db, user) -> UserSession:
    return db.scalar(select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id.desc()))


def test_captured_cookie_is_useless_after_logout(app, client, db, factory):
    user = factory.user()
    token = login(client, user.email)
    captured = client.cookies[COOKIE]
    thief = attacker_with(app, db, captured)
    assert signed_in(thief)  # the copy works while the session lives: this is what logout must end

    response = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"

    thief = attacker_with(app, db, captured)
    assert not signed_in(thief)
    assert thief.get("/api/v1/me/progress").status_code == 401
    forged_post = thief.post("/account/tokens", data={"name": "backdoor", "csrf_token": token})
    assert forged_post.status_code == 403  # the CSRF token died with the session
    assert session_row(db, user).revoked_reason == "logout"


def test_htmx_logout_ends_the_session_and_redirects(app, client, db, factory):
    user = factory.user()
    token = login(client, user.email)
    captured = client.cookies[COOKIE]
    response = client.post("/logout", headers={**HTMX, "X-CSRF-Token": token})
    assert response.status_code == 204 and response.headers["hx-redirect"] == "/login"
    assert not signed_in(attacker_with(app, db, captured))


def test_htmx_request_with_a_dead_session_is_sent_to_sign_in(app, client, db, factory):
    user = factory.user()
    login(client, user.email)
    captured = client.cookies[COOKIE]
    session_row(db, user).revoked_at = utcnow()
    db.flush()
    response = attacker_with(app, db, captured).get(
        "/account", headers={**HTMX, "HX-Current-URL": "http://testserver/labs/lab02"})
    assert response.status_code == 401
    assert response.headers["hx-redirect"] == "/login?next=/labs/lab02"


def test_cookie_signed_with_the_secret_key_cannot_name_a_user(app, db, factory):
    """Before: the cookie itself said who you are ({"user_id": N}), so the secret key was an admin login."""
    admin = factory.user(role="admin")
    signer = itsdangerous.TimestampSigner(get_settings().session_secret)
    forged = signer.sign(base64.b64encode(json.dumps({"user_id": admin.id}).encode())).decode()
    assert not signed_in(attacker_with(app, db, forged))


def test_session_table_holds_only_a_digest_of_the_cookie_token(client, db, factory):
    user = factory.user()
    login(client, user.email)
    row = session_row(db, user)
    payload = json.loads(base64.b64decode(client.cookies[COOKIE].split(".")[0]))
    assert set(payload) == {"sid"}
    assert row.token_hash == hash_token(payload["sid"]) and payload["sid"] not in row.token_hash


def change_password(client, token, current="password123", new="a-new-password-9", htmx=False):
    data = {"current_password": current, "new_password": new}
    if htmx:
        return client.post("/account/password", data=data, headers={**HTMX, "X-CSRF-Token": token})
    return client.post("/account/password", data={**data, "csrf_token": token})


@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
def test_password_change_signs_out_every_other_browser(app, client, db, factory, htmx):
    user = factory.user()
    laptop = browser(app, db)
    login(laptop, user.email)
    token = login(client, user.email)

    response = change_password(client, token, htmx=htmx)
    assert response.status_code == 200 and "1 other session signed out" in response.text
    assert response.text.startswith('<div id="account-security">') == htmx
    assert not signed_in(laptop)
    assert signed_in(client)  # the browser that changed it stays signed in
    assert login(browser(app, db), user.email, "a-new-password-9")


@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
def test_wrong_current_password_changes_nothing(app, client, db, factory, htmx):
    user = factory.user()
    laptop = browser(app, db)
    login(laptop, user.email)
    token = login(client, user.email)
    response = change_password(client, token, current="not-my-password", htmx=htmx)
    assert response.status_code == 400 and "current password is wrong" in response.text
    assert signed_in(laptop)
    assert login(browser(app, db), user.email, "password123")


@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
def test_sign_out_everywhere_ends_every_session_of_the_account(app, client, db, factory, htmx):
    user = factory.user()
    laptop, phone = browser(app, db), browser(app, db)
    login(laptop, user.email)
    login(phone, user.email)
    token = login(client, user.email)
    assert "this browser" in client.get("/account").text

    if htmx:
        response = client.post("/account/sessions/revoke-all", headers={**HTMX, "X-CSRF-Token": token})
        assert response.status_code == 204 and response.headers["hx-redirect"] == "/login"
    else:
        response = client.post("/account/sessions/revoke-all", data={"csrf_token": token}, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/login"
    assert not any(signed_in(b) for b in (laptop, phone, client))


def test_role_change_ends_the_sessions_opened_under_the_old_role(app, client, db, factory):
    from app.users import service

    instructor = factory.user(role="instructor")
    login(client, instructor.email)
    assert client.get("/cohorts").status_code == 200
    service.change_role(db, instructor, "student")
    assert not signed_in(client)
    assert session_row(db, instructor).revoked_reason == "role_changed"


def test_role_change_from_the_command_line_ends_sessions(client, db, factory, monkeypatch):
    from contextlib import contextmanager

    from app.cli import cli

    @contextmanager
    def test_transaction(write=True):
        yield db

    monkeypatch.setattr("app.core.db.session_scope", test_transaction)
    admin = factory.user(role="admin")
    login(client, admin.email)
    factory.user(role="admin")
    result = CliRunner().invoke(cli, ["users", "role", "--email", admin.email, "--role", "grader"])
    assert result.exit_code == 0, result.output
    assert admin.role == "grader" and not signed_in(client)


def test_the_last_admin_cannot_be_demoted(db, factory):
    from app.core.errors import AppError
    from app.users import service
    from app.users.models import User

    lone = factory.user(role="admin")
    for other in db.scalars(select(User).where(User.role == "admin", User.id != lone.id)):
        other.role = "instructor"
    with pytest.raises(AppError, match="last admin"):
        service.change_role(db, lone, "student")
    assert lone.role == "admin"


def test_idle_session_expires(client, db, factory):
    user = factory.user()
    login(client, user.email)
    row = session_row(db, user)
    row.last_seen_at = utcnow() - timedelta(seconds=get_settings().session_idle_timeout_seconds + 60)
    db.flush()
    assert not signed_in(client)


def test_session_past_its_absolute_lifetime_expires_even_if_active(client, db, factory):
    user = factory.user()
    login(client, user.email)
    row = session_row(db, user)
    row.created_at = utcnow() - timedelta(seconds=get_settings().session_lifetime_seconds + 60)
    row.last_seen_at = utcnow()
    db.flush()
    assert not signed_in(client)


def test_activity_keeps_an_idle_clock_from_running_out(client, db, factory):
    user = factory.user()
    token = login(client, user.email)
    row = session_row(db, user)
    almost_idle = utcnow() - timedelta(seconds=get_settings().session_idle_timeout_seconds - 120)
    row.last_seen_at = almost_idle
    db.flush()
    assert client.post("/account/tokens", data={"name": "x", "csrf_token": token}).status_code == 200
    db.refresh(row)
    assert row.last_seen_at > almost_idle + timedelta(seconds=60)


def test_csrf_token_of_one_session_does_not_work_in_another(app, client, db, factory):
    victim, attacker = factory.user(), factory.user()
    login(client, victim.email)
    other = browser(app, db)
    attacker_token = login(other, attacker.email)
    response = client.post("/account/tokens", data={"name": "x", "csrf_token": attacker_token})
    assert response.status_code == 403


def test_signing_in_again_replaces_the_previous_session(app, client, db, factory):
    first, second = factory.user(), factory.user()
    login(client, first.email)
    captured = client.cookies[COOKIE]
    token = csrf_from(client.get("/login").text)
    response = client.post("/login", data={"email": second.email, "password": "password123", "csrf_token": token},
                           follow_redirects=False)
    assert response.status_code == 303
    assert not signed_in(attacker_with(app, db, captured))
    # the page this browser signed in from keeps a working token (it moved into the new session)
    assert client.post("/account/tokens", data={"name": "x", "csrf_token": token}).status_code == 200
