"""Request dependencies: the database session (single commit point), the current user, roles, CSRF."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.core.db import begin_write, get_engine, session_factory, utcnow
from app.core.errors import AppError
from app.core.security import csrf_matches, hash_token, new_csrf_token
from app.users import sessions
from app.users.models import ApiToken, Role, User, UserSession

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
TOUCH_EVERY_SECONDS = 60


async def receive_body(request: Request) -> None:
    """Read an unsafe request's body before its transaction begins (get_db, every route's first dependency
    after this one): on SQLite that transaction holds the database's one write lock, which must not wait for
    a client still sending its upload, nor for the event loop. The body (or parsed form) stays cached on the
    request for the route."""
    if request.method in SAFE_METHODS:
        return
    if request.headers.get("content-type", "").startswith(("multipart/form-data",
                                                           "application/x-www-form-urlencoded")):
        await request.form()
    else:
        await request.body()


def get_db(request: Request) -> Iterator[Session]:
    """The request's unit of work: committed once after the route returns, rolled back on any error."""
    override = getattr(request.app.state, "session_override", None)
    db = override or session_factory()()
    if override is None and request.method not in SAFE_METHODS:
        begin_write(db)
    try:
        yield db
        db.commit()
    except BaseException:
        db.rollback()
        user = getattr(request.state, "user", None)
        if user is not None:
            db.refresh(user)  # the error page still shows who is signed in after the session closes
        raise
    finally:
        if getattr(request.app.state, "session_override", None) is None:
            db.close()


Db = Annotated[Session, Depends(get_db, scope="function")]


def csrf_token(request: Request) -> str:
    """The signed-in session's token; before sign-in, a token kept in the cookie (login and signup forms)."""
    token = getattr(request.state, "session_csrf", None)
    if token:
        return token
    token = request.session.get("csrf")
    if not token:
        token = new_csrf_token()
        request.session["csrf"] = token
    return token


def _expected_csrf(request: Request) -> str | None:
    return getattr(request.state, "session_csrf", None) or request.session.get("csrf")


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def get_optional_user(request: Request, db: Db) -> User | None:
    if hasattr(request.state, "user"):
        return request.state.user
    user = None
    token = _bearer(request)
    if token is not None:
        row = db.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token),
                                               ApiToken.revoked_at.is_(None)))
        if row is None:
            raise AppError(401, "The API token is not valid (unknown or revoked).", "bad_token")
        _touch_token(request, row)
        user = db.get(User, row.user_id)
        request.state.via_token = True
    elif request.session:
        user = _session_user(request, db)
    request.state.user = user
    return user


def _session_user(request: Request, db: Session) -> User | None:
    """The user of the cookie's server-side session, if it is still live (not revoked, not expired)."""
    token = request.session.get(sessions.COOKIE_KEY)
    row = sessions.find_live_session(db, token) if isinstance(token, str) else None
    if row is None:
        if token is not None or "user_id" in request.session:  # a dead session, or a pre-server-side cookie
            request.session.clear()
        return None
    user = db.get(User, row.user_id)
    if user is None:
        request.session.clear()
        return None
    request.state.user_session = row
    # A plain copy: an error page renders after the request's database session is rolled back and closed.
    request.state.session_csrf = row.csrf_token
    _touch_session(request, row)
    return user


def _touch_session(request: Request, row: UserSession) -> None:
    """Keep the idle clock of a session in use. Writes share the request's own transaction; reads record it
    at most once a minute, best effort, so that pages stay read-only transactions."""
    now = utcnow()
    if (now - row.last_seen_at).total_seconds() < TOUCH_EVERY_SECONDS:
        return
    if request.method in SAFE_METHODS:
        _touch(update(UserSession).where(UserSession.id == row.id).values(last_seen_at=now))
    else:
        row.last_seen_at = now


def _touch_token(request: Request, row: ApiToken) -> None:
    """Record when a token was last used, at most once a minute. Writes share the request's own transaction
    (a second connection would wait for the lock the request itself holds); reads record it in their own
    short transaction, so that read-only API calls stay read-only."""
    now = utcnow()
    if row.last_used_at is not None and (now - row.last_used_at).total_seconds() < TOUCH_EVERY_SECONDS:
        return
    if request.method in SAFE_METHODS:
        _touch(update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now))
    else:
        row.last_used_at = now


def _touch(statement) -> None:
    from sqlalchemy.exc import OperationalError

    engine = get_engine()
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        try:
            if sqlite:  # best effort: never make an API call wait for a busy database
                connection.exec_driver_sql("PRAGMA busy_timeout=50")
            connection.execute(statement)
            connection.commit()
        except OperationalError:
            connection.rollback()
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA busy_timeout=30000")
                connection.commit()


OptionalUser = Annotated[User | None, Depends(get_optional_user)]


def get_current_user(request: Request, user: OptionalUser) -> User:
    if user is None:
        raise AppError(401, "Please sign in to continue.", "unauthenticated")
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def require_role(role: Role):
    def dependency(user: CurrentUser) -> User:
        if not user.has_role(role):
            raise AppError(403, f"This page is for {role.name}s.", "forbidden")
        return user

    return Depends(dependency)


async def verify_csrf(request: Request, user: OptionalUser) -> None:
    """Every unsafe request made with the session cookie needs the session's CSRF token, as a form field
    or the X-CSRF-Token header (HTMX). Bearer-token API calls carry no cookie, so need none. Resolving the
    user first binds the token to the live server-side session: a revoked session's token is refused."""
    if request.method in SAFE_METHODS or _bearer(request):
        return
    expected = _expected_csrf(request)
    given = request.headers.get("x-csrf-token")
    if given is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        given = form.get("csrf_token")
    if not csrf_matches(expected, given if isinstance(given, str) else None):
        raise AppError(403, "Your session expired or the form is stale. Reload the page and try again.", "csrf")


CsrfChecked = Depends(verify_csrf)
