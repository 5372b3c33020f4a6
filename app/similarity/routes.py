"""Similarity pages for graders: start a check, follow it, read flagged pairs side by side."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from app.core.deps import CsrfChecked, CurrentUser, Db, require_role
from app.core.forms import PostedLists
from app.core.params import RowId
from app.labs.models import Lab, Submission
from app.review.routes import first, hx_redirect
from app.review.service import get_lab
from app.similarity import service
from app.users.models import Role, User
from app.web.templating import is_htmx, render

router = APIRouter(dependencies=[CsrfChecked])
Grader = require_role(Role.grader)


@router.post("/review/labs/{lab_id}/similarity", dependencies=[Grader])
def start(request: Request, db: Db, user: CurrentUser, lab_id: str, data: PostedLists):
    lab = get_lab(db, lab_id)
    run = service.start_run(db, lab, user, first(data, "threshold"))
    return hx_redirect(request, f"/review/similarity/{run.id}", "Similarity check started.")


@router.get("/review/similarity/{run_id}", dependencies=[Grader])
def run_page(request: Request, db: Db, user: CurrentUser, run_id: RowId):
    run = service.get_run(db, run_id)
    context = {"run": run, "lab": db.get(Lab, run.lab_id), "pairs": service.run_pairs(db, run.id)}
    if is_htmx(request):
        return render(request, "partials/similarity_run.html", context)
    return render(request, "pages/similarity_run.html", context)


def _pair_context(db, pair) -> dict:
    a, b = db.get(Submission, pair.submission_a_id), db.get(Submission, pair.submission_b_id)
    return {"pair": pair, "a": a, "b": b, "user_a": db.get(User, a.user_id), "user_b": db.get(User, b.user_id),
            "lab": db.get(Lab, pair.lab_id), **service.side_by_side(pair, a, b)}


@router.get("/review/similarity/pairs/{pair_id}", dependencies=[Grader])
def pair_page(request: Request, db: Db, user: CurrentUser, pair_id: RowId):
    pair = service.get_pair(db, pair_id)
    return render(request, "pages/similarity_pair.html", _pair_context(db, pair))


@router.post("/review/similarity/pairs/{pair_id}", dependencies=[Grader])
def judge(request: Request, db: Db, user: CurrentUser, pair_id: RowId, data: PostedLists):
    pair = service.judge_pair(db, service.get_pair(db, pair_id), user, first(data, "status"), first(data, "note"))
    if is_htmx(request):
        return render(request, "partials/similarity_judgement.html", {"pair": pair})
    return RedirectResponse(f"/review/similarity/pairs/{pair.id}", status_code=303)
