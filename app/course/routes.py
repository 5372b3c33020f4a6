"""Course home and week pages; checklist ticking (HTMX fragment, or a plain form post)."""
from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from app.cohorts.service import is_enrolled
from app.core.deps import CsrfChecked, CurrentUser, Db, OptionalUser
from app.core.errors import AppError
from app.core.params import WeekNumber
from app.course import service
from app.web.templating import is_htmx, render

router = APIRouter(dependencies=[CsrfChecked])


@router.get("/")
def home(request: Request, db: Db, user: OptionalUser):
    if user is None:
        return render(request, "pages/landing.html", {"modules": service.modules(db)})
    progress = service.course_progress(db, user)
    by_module: dict[str, list] = {}
    for p in progress:
        by_module.setdefault(p.week.module_id, []).append(p)
    return render(request, "pages/home.html", {
        "modules": service.modules(db), "by_module": by_module, "overall": service.overall(progress),
        "continue_week": service.continue_week(db, user, progress), "enrolled": is_enrolled(db, user)})


@router.get("/progress")
def progress_page(request: Request, db: Db, user: CurrentUser):
    """What GET /api/v1/me/progress returns, drawn: overall, then per week checklist, labs and quiz."""
    progress = service.course_progress(db, user)
    context = {"progress": progress, "overall": service.overall(progress), "enrolled": is_enrolled(db, user)}
    if is_htmx(request):
        return render(request, "partials/progress_body.html", context)
    return render(request, "pages/progress.html", context)


@router.get("/weeks/{number}")
def week_page(request: Request, db: Db, user: CurrentUser, number: WeekNumber):
    week = service.get_week(db, number)
    progress = next(p for p in service.course_progress(db, user) if p.week.id == week.id)
    return render(request, "pages/week.html", {
        "week": week, "items": service.week_items(db, week, user), "progress": progress,
        "enrolled": user.is_staff or is_enrolled(db, user), "prev": number - 1 if number > 1 else None,
        "next": number + 1 if number < 33 else None})


@router.post("/weeks/{number}/items/{item_id}")
def toggle_item(request: Request, db: Db, user: CurrentUser, number: WeekNumber, item_id: str, done: str = Form("")):
    week = service.get_week(db, number)
    if done not in ("0", "1"):
        raise AppError(400, "Send done=1 to tick an item or done=0 to untick it.", "bad_done")
    item = service.set_item(db, user, item_id, done == "1")
    if item.week_id != week.id:
        raise AppError(404, "That checklist item is not part of this week.", "not_found")
    if is_htmx(request):  # the item, and the week's progress out of band (it moved with the tick)
        progress = next(p for p in service.course_progress(db, user) if p.week.id == week.id)
        return render(request, "partials/check_item_oob.html", {
            "node": {"item": item, "done": done == "1"}, "week": week, "enrolled": True, "progress": progress})
    return RedirectResponse(f"/weeks/{number}#item-{item_id}", status_code=303)
