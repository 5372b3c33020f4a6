"""JSON API for the signed-in user's notifications."""
from __future__ import annotations

from fastapi import APIRouter

from app.core.deps import CsrfChecked, CurrentUser, Db
from app.notifications import service
from app.notifications.schemas import NotificationList, notification_out

router = APIRouter(prefix="/api/v1", tags=["notifications"], dependencies=[CsrfChecked])


@router.get("/notifications", response_model=NotificationList)
def notifications(db: Db, user: CurrentUser, unread: bool = False):
    items = service.list_for(db, user, unread_only=unread)
    return NotificationList(unread=service.unread_count(db, user), items=[notification_out(n) for n in items])


@router.post("/notifications/read-all")
def read_all(db: Db, user: CurrentUser) -> dict:
    return {"marked": service.mark_all_read(db, user)}
