"""The in-app notification list (page + HTMX partials) and the nav's "new" count."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import object_session

from app.core.deps import CsrfChecked, CurrentUser, Db
from app.core.params import RowId
from app.notifications import service
from app.web.templating import is_htmx, render

router = APIRouter(dependencies=[CsrfChecked])


def unread_notifications(user) -> int:
    """Jinja global for base.html's nav badge; 0 when there is no user or session."""
    db = object_session(user) if user is not None else None
    return service.unread_count(db, user) if db is not None else 0


TEMPLATE_GLOBALS = {"unread_notifications": unread_notifications}


def _list_context(db, user) -> dict:
    return {"notifications": service.list_for(db, user), "unread": service.unread_count(db, user)}


@router.get("/notifications")
def notifications_page(request: Request, db: Db, user: CurrentUser):
    context = _list_context(db, user)
    if is_htmx(request):
        return render(request, "partials/notification_list.html", context)
    return render(request, "pages/notifications.html", context)


@router.get("/notifications/{notification_id}")
def open_notification(db: Db, user: CurrentUser, notification_id: RowId):
    notification = service.mark_read(db, user, notification_id)
    return RedirectResponse(notification.link or "/notifications", status_code=303)


@router.post("/notifications/{notification_id}/read")
def read_notification(request: Request, db: Db, user: CurrentUser, notification_id: RowId):
    service.mark_read(db, user, notification_id)
    if is_htmx(request):
        return render(request, "partials/notification_list.html", {**_list_context(db, user), "oob": True})
    return RedirectResponse("/notifications", status_code=303)


@router.post("/notifications/read-all")
def read_all(request: Request, db: Db, user: CurrentUser):
    service.mark_all_read(db, user)
    if is_htmx(request):
        return render(request, "partials/notification_list.html", {**_list_context(db, user), "oob": True})
    return RedirectResponse("/notifications", status_code=303)
