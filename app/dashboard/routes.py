"""Instructor pages: dashboard (heatmap, numbers, at-risk), student drill-down, lab and quiz statistics,
gradebook with exports, pacing (due dates, thresholds, extensions). HTMX swaps fragments; every form also
works as a plain post (redirect after success, the page again with the error otherwise)."""
from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, RedirectResponse

from app.core.deps import CsrfChecked, CurrentUser, Db, require_role
from app.core.errors import AppError, not_found
from app.core.forms import PostedForm
from app.core.params import RowId
from app.dashboard import analytics, gradebook, pacing, service, summary
from app.users.models import Role
from app.web.templating import is_htmx, render

router = APIRouter(dependencies=[CsrfChecked, require_role(Role.instructor)])


def _fragment(request: Request) -> bool:
    """An HTMX request for a fragment (a history restore after a cache miss wants the whole page)."""
    return is_htmx(request) and request.headers.get("hx-history-restore-request") != "true"


def _url(path: str, **params) -> str:
    params = {k: v for k, v in params.items() if v not in (None, "")}
    return f"{path}?{urlencode(params)}" if params else path


# --- dashboard --------------------------------------------------------------------------------------------

@router.get("/instructor")
def dashboard_page(request: Request, db: Db, user: CurrentUser, cohort: str | None = None, q: str | None = None,
                   sort: str | None = None, status: str | None = None, page: str | None = None,
                   per_page: str | None = None):
    current, cohorts = service.resolve_cohort(db, user, cohort)
    query = service.Query.parse(q, sort, status, page, per_page)
    if current is None:
        return render(request, "pages/instructor_dashboard.html", {"cohorts": cohorts, "board": None,
                                                                    "query": query})
    board = service.dashboard(db, current, query)
    context = {"cohorts": cohorts, "board": board, "query": query, "cohort": current, "sorts": service.SORTS,
               "statuses": service.STATUSES, "page_sizes": service.PAGE_SIZES, "url": _url}
    if _fragment(request):
        return render(request, "partials/dashboard_students.html", context)
    return render(request, "pages/instructor_dashboard.html", context)


@router.get("/instructor/cohorts/{cohort_id}/students/{user_id}")
def student_page(request: Request, db: Db, user: CurrentUser, cohort_id: RowId, user_id: RowId):
    cohort = service.get_cohort(db, user, cohort_id)
    student = service.enrolled_student(db, cohort, user_id)
    detail = service.student_detail(db, cohort, student)
    return render(request, "pages/instructor_student.html", {"cohort": cohort, **detail})


@router.get("/instructor/cohorts/{cohort_id}/labs")
def labs_page(request: Request, db: Db, user: CurrentUser, cohort_id: RowId):
    cohort = service.get_cohort(db, user, cohort_id)
    stats = service.lab_stats(db, cohort)
    chart = {"labels": [s.lab_id for s in stats if s.students],
             "pass_rate": [round(100 * (s.pass_rate or 0), 1) for s in stats if s.students],
             "median_attempts": [s.median_attempts or 0 for s in stats if s.students]}
    return render(request, "pages/instructor_labs.html", {"cohort": cohort, "stats": stats, "chart": chart,
                                                          "duration": analytics.human_duration})


@router.get("/instructor/cohorts/{cohort_id}/quizzes")
def quizzes_page(request: Request, db: Db, user: CurrentUser, cohort_id: RowId):
    cohort = service.get_cohort(db, user, cohort_id)
    return render(request, "pages/instructor_quizzes.html", {"cohort": cohort,
                                                             "quizzes": service.quiz_overview(db, cohort)})


@router.get("/instructor/cohorts/{cohort_id}/quizzes/{quiz_id}")
def quiz_items_page(request: Request, db: Db, user: CurrentUser, cohort_id: RowId, quiz_id: str):
    cohort = service.get_cohort(db, user, cohort_id)
    quiz, items = service.quiz_items(db, cohort, quiz_id)
    return render(request, "pages/instructor_quiz_items.html", {
        "cohort": cohort, "quiz": quiz, "items": items, "thresholds": {
            "min": analytics.MIN_RESPONSES, "hard": analytics.TOO_HARD, "easy": analytics.TOO_EASY,
            "low": analytics.LOW_DISCRIMINATION, "share": analytics.GROUP_SHARE}})


# --- gradebook --------------------------------------------------------------------------------------------

GRADEBOOK_SORTS = {"name": "Name", "total": "Total (high first)", "-total": "Total (low first)"}


def _gradebook_context(db, user, cohort, q: str, sort: str, page: int, error: str | None = None) -> dict:
    lay = gradebook.layout(db)
    rows = gradebook.summary_rows(db, cohort, lay)
    needle = q.lower()
    shown = [r for r in rows if not needle or needle in r.name.lower() or needle in r.email.lower()]
    if sort == "total":
        shown.sort(key=lambda r: (-r.total, r.name.lower()))
    elif sort == "-total":
        shown.sort(key=lambda r: (r.total, r.name.lower()))
    per_page = 50
    pages = max(1, -(-len(shown) // per_page))
    page_rows = shown[(page - 1) * per_page: page * per_page]
    gradebook.add_late_weeks(db, cohort, page_rows)
    return {"cohort": cohort, "layout": lay, "rows": page_rows,
            "total_students": len(rows), "matching": len(shown), "pages": pages, "page": page, "q": q,
            "sort": sort, "sorts": GRADEBOOK_SORTS, "distribution": gradebook.distribution(rows),
            "weights": lay.weights, "exports": gradebook.recent_exports(db, cohort),
            "inline_max": gradebook.EXPORT_INLINE_MAX, "error": error, "url": _url,
            "gradeable_labs": [lab_id for lab_id, _, _ in lay.labs + lay.capstone]}


def _parse_gradebook_query(q: str | None, sort: str | None, page: str | None) -> tuple[str, str, int]:
    sort = sort or "name"
    if sort not in GRADEBOOK_SORTS:
        raise AppError(400, f"Sort by one of: {', '.join(GRADEBOOK_SORTS)}.", "bad_sort")
    try:
        page_n = int(page or 1)
    except ValueError:
        raise AppError(400, "The page must be a whole number.", "bad_page") from None
    if page_n < 1:
        raise AppError(400, "Pages start at 1.", "bad_page")
    q = (q or "").strip()
    if len(q) > 120:
        raise AppError(400, "The search is too long (120 characters at most).", "bad_search")
    return q, sort, page_n


@router.get("/instructor/cohorts/{cohort_id}/gradebook")
def gradebook_page(request: Request, db: Db, user: CurrentUser, cohort_id: RowId, q: str | None = None,
                   sort: str | None = None, page: str | None = None):
    cohort = service.get_cohort(db, user, cohort_id)
    q, sort, page_n = _parse_gradebook_query(q, sort, page)
    context = _gradebook_context(db, user, cohort, q, sort, page_n)
    if _fragment(request):
        return render(request, "partials/gradebook_table.html", context)
    return render(request, "pages/instructor_gradebook.html", context)


@router.post("/instructor/cohorts/{cohort_id}/gradebook/weights")
def gradebook_weights(request: Request, db: Db, user: CurrentUser, cohort_id: RowId, form: PostedForm):
    cohort = service.get_cohort(db, user, cohort_id)
    values = {c: form.get(c, "") for c in gradebook.CATEGORIES}
    capstone = [str(v) for v in form.getlist("capstone_labs")]
    try:
        gradebook.update_weights(db, user, values, capstone)
    except AppError as exc:
        if is_htmx(request):
            raise
        context = _gradebook_context(db, user, cohort, "", "name", 1, error=exc.message)
        return render(request, "pages/instructor_gradebook.html", context, status_code=exc.status_code)
    if is_htmx(request):
        context = _gradebook_context(db, user, cohort, "", "name", 1)
        return render(request, "partials/gradebook_body.html", {**context, "notice": "Weights saved."})
    return RedirectResponse(f"/instructor/cohorts/{cohort.id}/gradebook", status_code=303)


@router.post("/instructor/cohorts/{cohort_id}/gradebook/exports")
def create_export(request: Request, db: Db, user: CurrentUser, cohort_id: RowId):
    cohort = service.get_cohort(db, user, cohort_id)
    gradebook.request_export(db, user, cohort)
    if is_htmx(request):
        return render(request, "partials/gradebook_exports.html", {
            "cohort": cohort, "exports": gradebook.recent_exports(db, cohort)}, status_code=202)
    return RedirectResponse(f"/instructor/cohorts/{cohort.id}/gradebook#exports", status_code=303)


@router.get("/instructor/cohorts/{cohort_id}/gradebook/exports")
def list_exports(request: Request, db: Db, user: CurrentUser, cohort_id: RowId):
    cohort = service.get_cohort(db, user, cohort_id)
    if not is_htmx(request):
        return RedirectResponse(f"/instructor/cohorts/{cohort.id}/gradebook#exports", status_code=303)
    return render(request, "partials/gradebook_exports.html", {"cohort": cohort,
                                                               "exports": gradebook.recent_exports(db, cohort)})


@router.get("/instructor/exports/{export_id}/download")
def download_export(db: Db, user: CurrentUser, export_id: RowId):
    export = gradebook.get_export(db, export_id)
    cohort = service.get_cohort(db, user, export.cohort_id)
    path = gradebook.export_path(export)
    if export.status != "done" or not path.is_file():
        raise not_found(f"The file of export {export_id}")
    day = export.finished_at.date().isoformat() if export.finished_at else ""
    return FileResponse(path, media_type="text/csv; charset=utf-8",
                        filename=f"gradebook-cohort{cohort.id}-{day}.csv")


# --- pacing -----------------------------------------------------------------------------------------------

def _pacing_context(db, cohort, error: str | None = None, notice: str | None = None) -> dict:
    shape = summary.course_shape(db)
    sched = pacing.schedule(db, cohort, shape.numbers)
    return {"cohort": cohort, "schedule": sched, "weeks": shape.numbers, "labels": pacing.LABELS,
            "extensions": pacing.list_extensions(db, cohort), "error": error, "notice": notice,
            "defaults": pacing.DEFAULTS}


def _pacing_response(request: Request, db, cohort, saved: str, partial: str):
    if is_htmx(request):
        return render(request, partial, {**_pacing_context(db, cohort), "fragment_notice": NOTICES[saved]})
    return RedirectResponse(f"/instructor/cohorts/{cohort.id}/pacing?saved={saved}", status_code=303)


def _pacing_error(request: Request, db, cohort, exc: AppError):
    if is_htmx(request):
        raise exc
    return render(request, "pages/instructor_pacing.html", _pacing_context(db, cohort, error=exc.message),
                  status_code=exc.status_code)


NOTICES = {"settings": "Pace and thresholds saved.", "due": "Due dates saved.", "extensions": "Extensions updated."}


@router.get("/instructor/cohorts/{cohort_id}/pacing")
def pacing_page(request: Request, db: Db, user: CurrentUser, cohort_id: RowId, saved: str | None = None):
    cohort = service.get_cohort(db, user, cohort_id)
    return render(request, "pages/instructor_pacing.html", _pacing_context(db, cohort, notice=NOTICES.get(saved or "")))


@router.post("/instructor/cohorts/{cohort_id}/pacing")
def save_pacing(request: Request, db: Db, user: CurrentUser, cohort_id: RowId, form: PostedForm):
    cohort = service.get_cohort(db, user, cohort_id)
    try:
        pacing.update_pacing(db, cohort, {k: form.get(k) for k in pacing.DEFAULTS}, form.get("start_date"))
    except AppError as exc:
        return _pacing_error(request, db, cohort, exc)
    return _pacing_response(request, db, cohort, "settings", "partials/pacing_settings_saved.html")


@router.post("/instructor/cohorts/{cohort_id}/due-dates")
def save_due_dates(request: Request, db: Db, user: CurrentUser, cohort_id: RowId, form: PostedForm):
    cohort = service.get_cohort(db, user, cohort_id)
    numbers = summary.course_shape(db).numbers
    dates = {}
    for key, value in form.multi_items():
        if key.startswith("week_"):
            try:
                dates[int(key[5:])] = str(value)
            except ValueError:
                return _pacing_error(request, db, cohort, AppError(400, f"Unknown field {key}.", "bad_week"))
    try:
        if form.get("reset"):
            pacing.reset_due_dates(db, cohort)
        else:
            pacing.set_due_dates(db, cohort, dates, numbers)
    except AppError as exc:
        return _pacing_error(request, db, cohort, exc)
    return _pacing_response(request, db, cohort, "due", "partials/pacing_due.html")


@router.post("/instructor/cohorts/{cohort_id}/extensions")
def grant_extension(request: Request, db: Db, user: CurrentUser, cohort_id: RowId, email: str = Form(""),
                    week: str = Form(""), due_date: str = Form(""), reason: str = Form("")):
    cohort = service.get_cohort(db, user, cohort_id)
    try:
        pacing.grant_extension(db, cohort, user, email, week, due_date, reason, summary.course_shape(db).numbers)
    except AppError as exc:
        return _pacing_error(request, db, cohort, exc)
    return _pacing_response(request, db, cohort, "extensions", "partials/pacing_extensions.html")


@router.post("/instructor/cohorts/{cohort_id}/extensions/{extension_id}/delete")
def revoke_extension(request: Request, db: Db, user: CurrentUser, cohort_id: RowId, extension_id: RowId):
    cohort = service.get_cohort(db, user, cohort_id)
    pacing.revoke_extension(db, cohort, extension_id)
    return _pacing_response(request, db, cohort, "extensions", "partials/pacing_extensions.html")
