"""Joining a cohort (students) and managing cohorts (instructors)."""
from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from app.cohorts import service
from app.core.deps import CsrfChecked, CurrentUser, Db, require_role
from app.core.errors import AppError
from app.users.models import Role
from app.web.templating import is_htmx, render

router = APIRouter(dependencies=[CsrfChecked])
Instructor = require_role(Role.instructor)


@router.get("/join")
def join_page(request: Request, db: Db, user: CurrentUser, code: str = ""):
    return render(request, "pages/join.html", {"cohorts": service.user_cohorts(db, user), "code": code})


@router.post("/join")
def join(request: Request, db: Db, user: CurrentUser, code: str = Form("")):
    try:
        cohort = service.join_cohort(db, user, code)
    except AppError as exc:
        if is_htmx(request):
            raise
        return render(request, "pages/join.html", {"cohorts": service.user_cohorts(db, user), "code": code,
                                                   "error": exc.message}, status_code=exc.status_code)
    if is_htmx(request):
        return render(request, "partials/toast.html", {"message": f"You joined {cohort.name}.", "kind": "success"},
                      headers={"HX-Redirect": "/"})
    return RedirectResponse("/", status_code=303)


@router.get("/cohorts", dependencies=[Instructor])
def cohorts_page(request: Request, db: Db, user: CurrentUser):
    return render(request, "pages/cohorts.html", {"cohorts": service.list_cohorts(db, user),
                                                  "today": date.today().isoformat()})


@router.post("/cohorts", dependencies=[Instructor])
def create_cohort(request: Request, db: Db, user: CurrentUser, name: str = Form(""), start_date: str = Form("")):
    service.create_cohort(db, user, name, start_date)
    db.flush()
    if is_htmx(request):
        return render(request, "partials/cohort_table.html", {"cohorts": service.list_cohorts(db, user)})
    return RedirectResponse("/cohorts", status_code=303)
