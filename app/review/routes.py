"""Grader pages: the review queue, the review page of a submission (code, checks, diff, rubric, override,
release), per-lab review settings, regrade runs, and regrade-request threads (students and staff)."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from app.cohorts.models import Cohort
from app.core.deps import CsrfChecked, CurrentUser, Db, require_role
from app.core.errors import AppError, bad_request
from app.core.forms import PostedLists
from app.core.params import RowId, parse_row_id
from app.labs import bundles, hooks
from app.labs.models import Lab, Submission
from app.review import regrade, service
from app.review.models import RegradeItem, RegradeRun, ReviewItem
from app.review.render import diff_rows, highlight_code, pygments_css
from app.users.models import Role, User
from app.web.templating import is_htmx, render

router = APIRouter(dependencies=[CsrfChecked])
Grader = require_role(Role.grader)
Instructor = require_role(Role.instructor)


def review_panel(submission: Submission, user: User | None) -> dict | None:
    """Jinja global for the student's submission page (feedback, score history, regrade threads)."""
    db = object_session(submission)
    if db is None or user is None:
        return None
    return service.student_panel(db, user, submission)


TEMPLATE_GLOBALS = {"feedback_held": hooks.feedback_held, "review_panel": review_panel,
                    "student_label": service.student_label, "smoke_tests": bundles.smoke_tests,
                    "reason_labels": service.REASON_LABELS, "change_labels": service.KIND_LABELS}


def first(data: dict, key: str, default: str = "") -> str:
    return (data.get(key) or [default])[0]


def back_to(target: str, default: str) -> str:
    ok = target.startswith("/review") and not target.startswith(("//", "/review/queue/"))
    return target if ok else default


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def hx_redirect(request: Request, url: str, message: str):
    if is_htmx(request):
        return render(request, "partials/toast.html", {"message": message, "kind": "success"},
                      headers={"HX-Redirect": url})
    return redirect(url)


# ---------------------------------------------------------------- the queue

def _queue_context(db: Session, user: User, filters: service.QueueFilters) -> dict:
    return {"rows": service.list_queue(db, filters, user), "filters": filters, "staff": service.staff_users(db),
            "counts": service.queue_counts(db)}


@router.get("/review", dependencies=[Grader])
def queue_page(request: Request, db: Db, user: CurrentUser, lab: str = "", cohort: str = "", status: str = "open",
               assignee: str = "any", reason: str = ""):
    filters = service.QueueFilters.parse(lab, cohort, status, assignee, reason)
    context = _queue_context(db, user, filters)
    if is_htmx(request):
        return render(request, "partials/review_queue.html", context)
    context.update(labs=list(db.scalars(select(Lab).where(Lab.gradeable.is_(True)).order_by(Lab.id))),
                   cohorts=list(db.scalars(select(Cohort).order_by(Cohort.start_date.desc(), Cohort.id))))
    return render(request, "pages/review_queue.html", context)


def _queue_row(db: Session, item: ReviewItem) -> tuple:
    submission = db.get(Submission, item.submission_id)
    return (item, submission, db.get(User, submission.user_id),
            db.get(User, item.assignee_id) if item.assignee_id else None)


@router.post("/review/queue/next", dependencies=[Grader])
def claim_next(request: Request, db: Db, user: CurrentUser, data: PostedLists):
    filters = service.QueueFilters.parse(first(data, "lab"), first(data, "cohort"), "open", "unassigned",
                                         first(data, "reason"))
    item = service.claim_next(db, user, filters)
    if item is None:
        raise AppError(404, "No unassigned open entries match these filters.", "queue_empty")
    return hx_redirect(request, f"/review/submissions/{item.submission_id}", "Assigned to you.")


@router.post("/review/queue/{item_id}/assign", dependencies=[Grader])
def assign(request: Request, db: Db, user: CurrentUser, item_id: RowId, data: PostedLists):
    item = service.assign(db, item_id, user, first(data, "assignee", "me"))
    if is_htmx(request):
        return render(request, "partials/review_queue_row.html", {"row": _queue_row(db, item),
                                                                  "staff": service.staff_users(db)})
    return redirect(back_to(first(data, "back"), "/review"))


@router.post("/review/queue/{item_id}/resolve", dependencies=[Grader])
def resolve(request: Request, db: Db, user: CurrentUser, item_id: RowId, data: PostedLists):
    item = service.resolve_item(db, item_id, user, first(data, "resolution"))
    if is_htmx(request):
        if request.headers.get("hx-target") == "review-queue-entries":
            return render(request, "partials/review_entries.html", {
                "submission": db.get(Submission, item.submission_id),
                "entries": service.queue_items_for(db, item.submission_id)})
        return render(request, "partials/review_queue_row.html", {"row": _queue_row(db, item),
                                                                  "staff": service.staff_users(db)})
    return redirect(back_to(first(data, "back"), f"/review/submissions/{item.submission_id}"))


# ---------------------------------------------------------------- the review page of a submission

def grading_context(db: Session, submission: Submission) -> dict:
    lab = db.get(Lab, submission.lab_id)
    marks = service.rubric_marks(db, submission.id)
    items = service.rubric_items(db, lab.id)
    base = service.automatic_score(submission)
    return {
        "submission": submission, "lab": lab, "auto_score": base, "held": service.is_held(db, submission.id),
        "review": db.get(service.SubmissionReview, submission.id), "rubric": items,
        "marks": {mark.rubric_item_id: mark for mark, _ in marks}, "applied": marks,
        "comments": service.saved_comments(db, lab.id), "audit": service.audit_trail(db, submission.id),
        "rubric_preview": service.rubric_score(base, [i for i in items if i.id in {m.rubric_item_id for m, _ in marks}],
                                               submission.max_score) if base is not None else None,
    }


def submission_text(lab: Lab, submission: Submission) -> str:
    """What is diffed between attempts: the code, or a project's files one after another."""
    if not bundles.is_bundle_lab(lab):
        return submission.code
    return "".join(f"# ==== {path} ====\n{text}\n" for path, text in bundles.files_of(lab, submission.code).items())


def code_html(lab: Lab, submission: Submission) -> Markup:
    """The submitted code with line numbers; a project (.zip) file by file, each with its own line anchors."""
    if not bundles.is_bundle_lab(lab):
        return highlight_code(submission.code)
    files = bundles.files_of(lab, submission.code)
    if not files:
        return Markup('<p class="muted">The project could not be read.</p>')
    parts = [Markup('<p class="small">{} files: {}</p>').format(len(files), ", ".join(files))]
    for index, (path, text) in enumerate(files.items(), start=1):
        parts.append(Markup('<h3 class="file-name" id="file-{}">{}</h3>').format(index, path))
        parts.append(highlight_code(text, anchor=f"F{index}", filename=path))
    return Markup("").join(parts)


def review_context(db: Session, submission: Submission) -> dict:
    from app.similarity.service import pairs_for_submission

    previous = service.previous_attempt(db, submission)
    context = grading_context(db, submission)
    lab = context["lab"]
    context.update(
        student=db.get(User, submission.user_id), result=submission.result or {}, previous=previous,
        code_html=code_html(lab, submission),
        diff=diff_rows(submission_text(lab, previous), submission_text(lab, submission)) if previous is not None else [],
        entries=service.queue_items_for(db, submission.id), threads=service.regrade_threads(db, submission.id),
        pairs=pairs_for_submission(db, submission.id), manual_checks=service.manual_checks(context["lab"]),
        regrades=list(db.execute(select(RegradeItem, RegradeRun).join(RegradeRun, RegradeRun.id == RegradeItem.run_id)
                                 .where(RegradeItem.submission_id == submission.id)
                                 .order_by(RegradeItem.id.desc()).limit(10)).tuples()),
        can_request=False, viewer_is_staff=True, neighbours=service.neighbours(db, submission),
        anonymous=service.names_hidden(db, submission))
    return context


@router.get("/review/submissions/{submission_id}", dependencies=[Grader])
def review_page(request: Request, db: Db, user: CurrentUser, submission_id: RowId):
    submission = service.get_submission(db, submission_id)
    return render(request, "pages/review_submission.html", review_context(db, submission))


def _grading_response(request: Request, db: Session, submission: Submission, anchor: str = "grading"):
    if is_htmx(request):
        return render(request, "partials/review_grading.html", grading_context(db, submission))
    return redirect(f"/review/submissions/{submission.id}#{anchor}")


@router.post("/review/submissions/{submission_id}/override", dependencies=[Grader])
def override(request: Request, db: Db, user: CurrentUser, submission_id: RowId, data: PostedLists):
    submission = service.get_submission(db, submission_id)
    service.override(db, submission, user, first(data, "score"), first(data, "reason"))
    return _grading_response(request, db, submission)


@router.post("/review/submissions/{submission_id}/rubric", dependencies=[Grader])
def save_rubric(request: Request, db: Db, user: CurrentUser, submission_id: RowId, data: PostedLists):
    submission = service.get_submission(db, submission_id)
    selected: dict[int, str] = {}
    for raw in data.get("item", []):
        item_id = parse_row_id(raw)
        if item_id is None:
            raise bad_request("Choose rubric items from the list.", "bad_rubric_item")
        selected[item_id] = first(data, f"comment_{raw}")
    service.apply_rubric(db, submission, user, selected, save_comments=first(data, "save_comments") == "1")
    return _grading_response(request, db, submission)


@router.post("/review/submissions/{submission_id}/comment", dependencies=[Grader])
def save_comment(request: Request, db: Db, user: CurrentUser, submission_id: RowId, data: PostedLists):
    submission = service.get_submission(db, submission_id)
    service.set_comment(db, submission, user, first(data, "comment"))
    return _grading_response(request, db, submission)


@router.post("/review/submissions/{submission_id}/release", dependencies=[Grader])
def release(request: Request, db: Db, user: CurrentUser, submission_id: RowId):
    submission = service.get_submission(db, submission_id)
    service.release(db, submission, user)
    return _grading_response(request, db, submission)


@router.post("/review/submissions/{submission_id}/hold", dependencies=[Grader])
def hold(request: Request, db: Db, user: CurrentUser, submission_id: RowId):
    submission = service.get_submission(db, submission_id)
    if submission.status not in service.TERMINAL:
        raise AppError(409, "This submission is still being graded.", "not_graded")
    service.hold(db, submission, user)
    return _grading_response(request, db, submission)


@router.post("/review/submissions/{submission_id}/regrade", dependencies=[Grader])
def regrade_one(request: Request, db: Db, user: CurrentUser, submission_id: RowId, data: PostedLists):
    submission = service.get_submission(db, submission_id)
    run = regrade.start_submission_regrade(db, submission, user, first(data, "reason"))
    return hx_redirect(request, f"/review/regrades/{run.id}", "Regrade started.")


@router.get("/review/highlight.css")
def highlight_css():
    return Response(pygments_css(), media_type="text/css", headers={"Cache-Control": "public, max-age=86400"})


# ---------------------------------------------------------------- per-lab settings, rubric, comment bank

def lab_context(db: Session, lab: Lab) -> dict:
    from app.similarity.service import list_runs as similarity_runs

    setting = service.lab_setting(db, lab.id)
    return {"lab": lab, "rubric": service.rubric_items(db, lab.id), "comments": service.saved_comments(db, lab.id),
            "hold": service.lab_holds_feedback(db, lab), "hold_is_default": setting is None,
            "anonymous": service.lab_anonymous(db, lab.id),
            "held_count": service.held_count(db, lab.id), "runs": regrade.list_runs(db, lab.id),
            "active_run": regrade.active_run(db, lab.id), "similarity_runs": similarity_runs(db, lab.id),
            "needs_manual": service.needs_manual_review(lab), "manual_checks": service.manual_checks(lab),
            "cohorts": list(db.scalars(select(Cohort).order_by(Cohort.start_date.desc(), Cohort.id)))}


@router.get("/review/labs/{lab_id}", dependencies=[Grader])
def lab_page(request: Request, db: Db, user: CurrentUser, lab_id: str):
    lab = service.get_lab(db, lab_id)
    return render(request, "pages/review_lab.html", lab_context(db, lab))


def _lab_response(request: Request, db: Session, lab: Lab, partial: str, anchor: str, **extra):
    if is_htmx(request):
        return render(request, f"partials/{partial}.html", {**lab_context(db, lab), **extra})
    return redirect(f"/review/labs/{lab.id}#{anchor}")


@router.post("/review/labs/{lab_id}/rubric", dependencies=[Grader])
def add_rubric_item(request: Request, db: Db, user: CurrentUser, lab_id: str, data: PostedLists):
    lab = service.get_lab(db, lab_id)
    service.add_rubric_item(db, lab, user, first(data, "title"), first(data, "points"), first(data, "comment"))
    return _lab_response(request, db, lab, "review_rubric", "rubric")


@router.post("/review/labs/{lab_id}/rubric/{item_id}/delete", dependencies=[Grader])
def remove_rubric_item(request: Request, db: Db, user: CurrentUser, lab_id: str, item_id: RowId):
    lab = service.get_lab(db, lab_id)
    service.remove_rubric_item(db, lab, item_id)
    return _lab_response(request, db, lab, "review_rubric", "rubric")


@router.post("/review/labs/{lab_id}/comments", dependencies=[Grader])
def add_comment(request: Request, db: Db, user: CurrentUser, lab_id: str, data: PostedLists):
    lab = service.get_lab(db, lab_id)
    service.add_saved_comment(db, lab, user, first(data, "text"))
    return _lab_response(request, db, lab, "review_comment_bank", "comments")


@router.post("/review/labs/{lab_id}/comments/{comment_id}/delete", dependencies=[Grader])
def remove_comment(request: Request, db: Db, user: CurrentUser, lab_id: str, comment_id: RowId):
    lab = service.get_lab(db, lab_id)
    service.remove_saved_comment(db, lab, comment_id)
    return _lab_response(request, db, lab, "review_comment_bank", "comments")


@router.post("/review/labs/{lab_id}/hold", dependencies=[Instructor])
def set_hold(request: Request, db: Db, user: CurrentUser, lab_id: str, data: PostedLists):
    value = first(data, "hold")
    if value not in ("0", "1"):
        raise bad_request("Send hold=1 to hold new feedback until released, or hold=0 to show it at once.",
                          "bad_hold")
    lab = service.get_lab(db, lab_id)
    service.set_lab_hold(db, lab, user, value == "1")
    return _lab_response(request, db, lab, "review_release", "release")


@router.post("/review/labs/{lab_id}/anonymous", dependencies=[Instructor])
def set_anonymous(request: Request, db: Db, user: CurrentUser, lab_id: str, data: PostedLists):
    value = first(data, "anonymous")
    if value not in ("0", "1"):
        raise bad_request("Send anonymous=1 to hide names until feedback is released, or anonymous=0.",
                          "bad_anonymous")
    lab = service.get_lab(db, lab_id)
    service.set_lab_anonymous(db, lab, user, value == "1")
    return _lab_response(request, db, lab, "review_release", "release")


# ---------------------------------------------------------------- groups by failing-check pattern

def groups_context(db: Session, lab: Lab, outcome: dict | None = None) -> dict:
    return {"lab": lab, "groups": service.check_groups(db, lab.id), "rubric": service.rubric_items(db, lab.id),
            "outcome": outcome}


@router.get("/review/labs/{lab_id}/groups", dependencies=[Grader])
def groups_page(request: Request, db: Db, user: CurrentUser, lab_id: str):
    lab = service.get_lab(db, lab_id)
    if is_htmx(request):
        return render(request, "partials/review_groups.html", groups_context(db, lab))
    return render(request, "pages/review_groups.html", groups_context(db, lab))


@router.post("/review/labs/{lab_id}/groups/apply", dependencies=[Grader])
def apply_group(request: Request, db: Db, user: CurrentUser, lab_id: str, data: PostedLists):
    lab = service.get_lab(db, lab_id)
    ids, items = [], {}
    for raw in data.get("submission", []):
        value = parse_row_id(raw)
        if value is None:
            raise bad_request("The group lists submissions by id.", "bad_submission")
        ids.append(value)
    for raw in data.get("item", []):
        item_id = parse_row_id(raw)
        if item_id is None:
            raise bad_request("Choose rubric items from the list.", "bad_rubric_item")
        items[item_id] = ""
    if not ids:
        raise bad_request("This group has no submissions.", "empty_group")
    rubric = {i.id: i for i in service.rubric_items(db, lab.id)}
    items = {i: (rubric[i].comment if i in rubric else "") for i in items}
    outcome = service.apply_rubric_to_group(db, lab, user, first(data, "key"), ids, items)
    outcome["key"] = first(data, "key")
    if is_htmx(request):
        return render(request, "partials/review_groups.html", groups_context(db, lab, outcome))
    return redirect(f"/review/labs/{lab.id}/groups")


@router.post("/review/labs/{lab_id}/release", dependencies=[Grader])
def release_lab(request: Request, db: Db, user: CurrentUser, lab_id: str):
    lab = service.get_lab(db, lab_id)
    released = service.release_lab(db, lab, user)
    return _lab_response(request, db, lab, "review_release", "release", released=released)


@router.post("/review/labs/{lab_id}/regrade", dependencies=[Instructor])
def start_regrade(request: Request, db: Db, user: CurrentUser, lab_id: str, data: PostedLists):
    lab = service.get_lab(db, lab_id)
    cohort = first(data, "cohort").strip()
    cohort_id = parse_row_id(cohort) if cohort else None
    if cohort and cohort_id is None:
        raise bad_request("Choose a cohort from the list, or all cohorts.", "bad_cohort")
    run = regrade.start_lab_regrade(db, lab, user, first(data, "reason"), cohort_id)
    return hx_redirect(request, f"/review/regrades/{run.id}",
                       f"Dry run of the {lab.id} regrade started; no score changes until you apply it.")


# ---------------------------------------------------------------- regrade runs

def run_context(db: Session, run: RegradeRun) -> dict:
    return {"run": run, "progress": regrade.counts(db, run.id), "report": regrade.report(db, run),
            "lab": db.get(Lab, run.lab_id), "can_apply": regrade.can_apply(db, run),
            "cohort": db.get(Cohort, run.cohort_id) if run.cohort_id else None,
            "applied_by": db.get(User, run.applied_by_id) if run.applied_by_id else None,
            "started_by": db.get(User, run.started_by_id) if run.started_by_id else None}


@router.post("/review/regrades/{run_id}/apply", dependencies=[Instructor])
def apply_regrade(request: Request, db: Db, user: CurrentUser, run_id: RowId, data: PostedLists):
    run = regrade.get_run(db, run_id)
    if first(data, "confirm") != "1":
        raise bad_request("Tick the confirmation: these scores change and those students are notified.",
                          "not_confirmed")
    applied = regrade.apply_run(db, run, user, first(data, "up"), first(data, "down"))
    if is_htmx(request):
        return render(request, "partials/regrade_progress.html", {**run_context(db, run), "applied": applied})
    return redirect(f"/review/regrades/{run.id}")


@router.get("/review/regrades/{run_id}", dependencies=[Grader])
def regrade_page(request: Request, db: Db, user: CurrentUser, run_id: RowId):
    run = regrade.get_run(db, run_id)
    if is_htmx(request):
        return render(request, "partials/regrade_progress.html", run_context(db, run))
    return render(request, "pages/review_regrade.html", run_context(db, run))


@router.post("/review/regrades/{run_id}/resume", dependencies=[Instructor])
def resume_regrade(request: Request, db: Db, user: CurrentUser, run_id: RowId):
    run = regrade.get_run(db, run_id)
    regrade.resume(db, run)
    if is_htmx(request):
        return render(request, "partials/regrade_progress.html", run_context(db, run))
    return redirect(f"/review/regrades/{run.id}")


# ---------------------------------------------------------------- regrade requests (students and staff)

def _threads_response(request: Request, db: Session, user: User, submission: Submission, anchor: str):
    if is_htmx(request):
        return render(request, "partials/regrade_threads.html", {
            "submission": submission, "threads": service.regrade_threads(db, submission.id),
            "can_request": service.can_request_regrade(db, user, submission), "viewer_is_staff": user.is_staff})
    base = f"/review/submissions/{submission.id}" if user.is_staff and user.id != submission.user_id \
        else f"/submissions/{submission.id}"
    return redirect(f"{base}#{anchor}")


@router.post("/submissions/{submission_id}/regrade-requests")
def request_regrade(request: Request, db: Db, user: CurrentUser, submission_id: RowId, data: PostedLists):
    regrade_request = service.open_regrade_request(db, user, submission_id, first(data, "message"))
    submission = db.get(Submission, regrade_request.submission_id)
    return _threads_response(request, db, user, submission, f"regrade-{regrade_request.id}")


@router.post("/regrade-requests/{request_id}/messages")
def add_message(request: Request, db: Db, user: CurrentUser, request_id: RowId, data: PostedLists):
    message = service.add_regrade_message(db, user, request_id, first(data, "body"))
    regrade_request = service.get_regrade_request(db, user, message.request_id)
    submission = db.get(Submission, regrade_request.submission_id)
    return _threads_response(request, db, user, submission, f"regrade-{regrade_request.id}")


@router.post("/regrade-requests/{request_id}/resolve", dependencies=[Grader])
def resolve_request(request: Request, db: Db, user: CurrentUser, request_id: RowId, data: PostedLists):
    regrade_request = service.resolve_regrade_request(db, user, request_id, first(data, "body"))
    submission = db.get(Submission, regrade_request.submission_id)
    return _threads_response(request, db, user, submission, f"regrade-{regrade_request.id}")
