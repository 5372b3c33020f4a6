"""Cohorts, invite codes and enrollments."""
from __future__ import annotations

import secrets
import string
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.cohorts.models import Cohort, Enrollment
from app.core.db import utcnow
from app.core.errors import AppError, bad_request
from app.users.models import User

CODE_ALPHABET = string.ascii_uppercase + string.digits


def new_invite_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def create_cohort(db: Session, creator: User, name: str, start_date: date | str,
                  invite_expires_at: datetime | None = None) -> Cohort:
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise bad_request("A cohort needs a name of 1 to 120 characters.", "bad_name")
    if isinstance(start_date, str):
        try:
            start_date = date.fromisoformat(start_date)
        except ValueError:
            raise bad_request("The start date must look like 2026-09-01.", "bad_date") from None
    cohort = Cohort(name=name, start_date=start_date, invite_code=new_invite_code(), created_by_id=creator.id,
                    invite_expires_at=invite_expires_at)
    db.add(cohort)
    db.flush()
    return cohort


def find_by_code(db: Session, code: str) -> Cohort:
    code = (code or "").strip().upper()
    cohort = db.scalar(select(Cohort).where(Cohort.invite_code == code)) if code else None
    if cohort is None:
        raise bad_request("That invite code is not valid. Check it with your instructor.", "bad_invite")
    if cohort.invite_expires_at is not None and cohort.invite_expires_at < utcnow():
        raise AppError(410, "That invite code has expired. Ask your instructor for a new one.", "expired_invite")
    return cohort


def join_cohort(db: Session, user: User, code: str) -> Cohort:
    cohort = find_by_code(db, code)
    exists = db.scalar(select(Enrollment).where(Enrollment.user_id == user.id, Enrollment.cohort_id == cohort.id))
    if exists is None:
        db.add(Enrollment(user_id=user.id, cohort_id=cohort.id))
        db.flush()
    return cohort


def user_cohorts(db: Session, user: User) -> list[Cohort]:
    return list(db.scalars(select(Cohort).join(Enrollment, Enrollment.cohort_id == Cohort.id)
                           .where(Enrollment.user_id == user.id).order_by(Cohort.start_date)))


def is_enrolled(db: Session, user: User) -> bool:
    return db.scalar(select(func.count()).select_from(Enrollment).where(Enrollment.user_id == user.id)) > 0


def list_cohorts(db: Session, user: User) -> list[tuple[Cohort, int]]:
    query = (select(Cohort, func.count(Enrollment.id)).outerjoin(Enrollment, Enrollment.cohort_id == Cohort.id)
             .group_by(Cohort.id).order_by(Cohort.start_date.desc()))
    if user.role != "admin":
        query = query.where(Cohort.created_by_id == user.id)
    return [(c, n) for c, n in db.execute(query)]


def regenerate_code(db: Session, cohort: Cohort) -> None:
    cohort.invite_code = new_invite_code()
