"""Server-side sessions: the cookie carries only a random token naming a `user_sessions` row, so signing
out, changing the password or the role ends the session for whoever holds a copy of the cookie.
Services flush, never commit."""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from app.config import Settings, get_settings
from app.core.db import utcnow
from app.core.security import hash_token
from app.users.models import User, UserSession

# The key under which the (signed) session cookie carries the token.
COOKIE_KEY = "sid"
MAX_USER_AGENT = 200


def _idle_limit(settings: Settings) -> timedelta:
    return timedelta(seconds=settings.session_idle_timeout_seconds)


def _lifetime(settings: Settings) -> timedelta:
    return timedelta(seconds=settings.session_lifetime_seconds)


def is_live(row: UserSession, now: datetime | None = None, settings: Settings | None = None) -> bool:
    settings = settings or get_settings()
    now = now or utcnow()
    return (row.revoked_at is None and now - row.last_seen_at < _idle_limit(settings)
            and now - row.created_at < _lifetime(settings))


def start_session(db: Session, user: User, csrf_token: str, user_agent: str = "") -> str:
    """A new session for `user`; returns the token for the cookie (never stored)."""
    _delete_dead_sessions(db, user.id)
    token = secrets.token_urlsafe(32)
    db.add(UserSession(user_id=user.id, token_hash=hash_token(token), csrf_token=csrf_token,
                       user_agent=(user_agent or "")[:MAX_USER_AGENT]))
    db.flush()
    return token


def find_live_session(db: Session, token: str) -> UserSession | None:
    row = db.scalar(select(UserSession).where(UserSession.token_hash == hash_token(token)))
    return row if row is not None and is_live(row) else None


def revoke(row: UserSession, reason: str) -> None:
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        row.revoked_reason = reason


def revoke_all(db: Session, user_id: int, reason: str, keep: UserSession | None = None) -> int:
    """Ends every session of the user except `keep`; returns how many were live."""
    statement = (update(UserSession)
                 .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
                 .values(revoked_at=utcnow(), revoked_reason=reason)
                 .execution_options(synchronize_session="fetch"))
    if keep is not None:
        statement = statement.where(UserSession.id != keep.id)
    return db.execute(statement).rowcount or 0


def live_sessions(db: Session, user: User) -> list[UserSession]:
    rows = db.scalars(select(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
                      .order_by(UserSession.last_seen_at.desc()))
    now = utcnow()
    return [row for row in rows if is_live(row, now)]


def _delete_dead_sessions(db: Session, user_id: int) -> None:
    """Rows that can never be used again go when the same user signs in (bounded work, no sweep needed)."""
    settings = get_settings()
    now = utcnow()
    db.execute(delete(UserSession).where(
        UserSession.user_id == user_id,
        or_(UserSession.revoked_at.is_not(None), UserSession.last_seen_at <= now - _idle_limit(settings),
            UserSession.created_at <= now - _lifetime(settings))).execution_options(synchronize_session=False))
