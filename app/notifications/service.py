"""In-app notifications: other domains call `notify`; users list them and mark them read."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.db import utcnow
from app.core.errors import not_found
from app.notifications.models import Notification
from app.users.models import User

KINDS = {"feedback_released", "score_changed", "regrade_answered", "regrade_requested", "regrade_done",
         "similarity_done"}
PAGE_SIZE = 50


def notify(db: Session, user_id: int, kind: str, title: str, body: str = "", link: str = "") -> Notification:
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    notification = Notification(user_id=user_id, kind=kind, title=title[:200], body=body[:4000],
                                link=link if link.startswith("/") else "", created_at=utcnow())
    db.add(notification)
    db.flush()
    return notification


def unread_count(db: Session, user: User) -> int:
    return db.scalar(select(func.count()).select_from(Notification)
                     .where(Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def list_for(db: Session, user: User, unread_only: bool = False, limit: int = PAGE_SIZE) -> list[Notification]:
    query = select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return list(db.scalars(query.order_by(Notification.id.desc()).limit(limit)))


def get_own(db: Session, user: User, notification_id: int) -> Notification:
    notification = db.get(Notification, notification_id)
    if notification is None or notification.user_id != user.id:
        raise not_found(f"Notification {notification_id}")
    return notification


def mark_read(db: Session, user: User, notification_id: int) -> Notification:
    notification = get_own(db, user, notification_id)
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.flush()
    return notification


def mark_all_read(db: Session, user: User) -> int:
    unread = list(db.scalars(select(Notification).where(Notification.user_id == user.id,
                                                        Notification.read_at.is_(None))))
    now = utcnow()
    for notification in unread:
        notification.read_at = now
    db.flush()
    return len(unread)
