"""Accounts and personal API tokens. Services flush, never commit."""
from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.db import utcnow
from app.core.errors import AppError, bad_request, conflict, not_found
from app.core.security import hash_password, hash_token, new_api_token, verify_password
from app.users import sessions
from app.users.models import ROLE_NAMES, ApiToken, User

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 8


def normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    if not EMAIL_RE.match(email) or len(email) > 254:
        raise bad_request("Please enter a valid email address.", "bad_email")
    return email


def get_by_email(db: Session, email: str) -> User | None:
    return db.scalar(select(User).where(User.email == email.strip().lower()))


def create_user(db: Session, email: str, password: str, name: str = "", role: str = "student") -> User:
    email = normalise_email(email)
    if role not in ROLE_NAMES:
        raise bad_request(f"Unknown role {role!r}; use one of {', '.join(ROLE_NAMES)}.", "bad_role")
    _check_new_password(password)
    name = (name or "").strip() or email.split("@")[0]
    if len(name) > 120:
        raise bad_request("The name is too long (120 characters at most).", "bad_name")
    if get_by_email(db, email):
        raise conflict("An account with this email already exists. Sign in instead.", "duplicate_email")
    user = User(email=email, name=name, password_hash=hash_password(password), role=role)
    db.add(user)
    db.flush()
    return user


def authenticate(db: Session, email: str, password: str) -> User:
    user = get_by_email(db, email or "")
    if user is None or not verify_password(user.password_hash, password or ""):
        raise AppError(401, "Wrong email or password.", "bad_credentials")
    user.last_active_at = utcnow()
    return user


def _check_new_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise bad_request(f"The password must have at least {MIN_PASSWORD} characters.", "weak_password")
    if len(password) > 256:
        raise bad_request("The password is too long (256 characters at most).", "bad_password")


def change_password(db: Session, user: User, current_password: str, new_password: str) -> None:
    """The caller ends the account's other sessions (app.users.sessions.revoke_all)."""
    if not verify_password(user.password_hash, current_password or ""):
        raise bad_request("The current password is wrong.", "bad_credentials")
    _check_new_password(new_password)
    user.password_hash = hash_password(new_password)
    db.flush()


def change_role(db: Session, user: User, role: str) -> None:
    """A new role signs the account out everywhere: its sessions were opened under the old role."""
    if role not in ROLE_NAMES:
        raise bad_request(f"Unknown role {role!r}; use one of {', '.join(ROLE_NAMES)}.", "bad_role")
    if user.role == "admin" and role != "admin" and count_admins(db) <= 1:
        raise conflict("This is the last admin; make another admin first.", "last_admin")
    if role != user.role:
        user.role = role
        sessions.revoke_all(db, user.id, "role_changed")
    db.flush()


def count_admins(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(User).where(User.role == "admin")) or 0


def create_token(db: Session, user: User, name: str = "personal token") -> tuple[ApiToken, str]:
    name = (name or "").strip()[:80] or "personal token"
    token = new_api_token()
    row = ApiToken(user_id=user.id, name=name, token_hash=hash_token(token), prefix=token[:12])
    db.add(row)
    db.flush()
    return row, token


def list_tokens(db: Session, user: User) -> list[ApiToken]:
    return list(db.scalars(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                           .order_by(ApiToken.created_at.desc())))


def revoke_token(db: Session, user: User, token_id: int) -> None:
    row = db.get(ApiToken, token_id)
    if row is None or row.user_id != user.id or row.revoked_at is not None:
        raise not_found("The token")
    row.revoked_at = utcnow()
