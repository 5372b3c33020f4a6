"""Lab pages: instructions, editor, upload, live result, attempt history."""
from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, StreamingResponse

from app.core.deps import CsrfChecked, CurrentUser, Db
from app.core.errors import AppError
from app.core.db import utcnow
from app.core.params import MAX_ROW_ID, RowId
from app.course.service import best_scores
from app.labs import bundles, events, service
from app.web.templating import is_htmx, render

router = APIRouter(dependencies=[CsrfChecked])


@router.get("/labs")
def labs_page(request: Request, db: Db, user: CurrentUser):
    return render(request, "pages/labs.html", {"labs": service.list_labs(db), "bests": best_scores(db, user.id)})


@router.get("/labs/{lab_id}")
def lab_page(request: Request, db: Db, user: CurrentUser, lab_id: str):
    lab = service.get_lab(db, lab_id)
    numbers = service.lab_numbers(db, user, lab)
    latest = numbers["attempts"][0] if numbers["attempts"] else None
    return render(request, "pages/lab.html", {
        **numbers, "code": service.editor_code(db, user, lab), "latest": latest,
        "draft_saved_at": service.draft_saved_at(db, user, lab), "models": service.models_in_use(lab),
        **status_extras(db, latest)})


def on_lab_page(request: Request, lab_id: str) -> bool:
    """An HTMX request made from the lab's own page (htmx sends the page's URL): it gets the page's numbers."""
    return urlsplit(request.headers.get("hx-current-url", "")).path.rstrip("/") == f"/labs/{lab_id}"


def status_extras(db, submission) -> dict:
    """What the status fragment shows besides the submission: the queue ahead of it, lab preparation."""
    if submission is None or submission.status not in ("queued", "running"):
        return {}
    return {"queue": service.queue_info(db, submission)}


def live_fragment(request: Request, db, user, submission, status_code: int = 200):
    context = {"submission": submission, "lab_id": submission.lab_id, "result": service.result_json(submission),
               **status_extras(db, submission)}
    if submission.status not in ("queued", "running") or request.method == "POST":
        if on_lab_page(request, submission.lab_id) and submission.user_id == user.id:
            context["numbers"] = service.lab_numbers(db, user, service.get_lab(db, submission.lab_id))
    return render(request, "partials/submission_live.html", context, status_code=status_code)


@router.post("/labs/{lab_id}/draft")
def save_draft(request: Request, db: Db, user: CurrentUser, lab_id: str, code: str = Form("")):
    """The editor's autosave (HTMX: a 'saved' line), or the no-JS "Save draft" button (back to the lab)."""
    lab = service.get_lab(db, lab_id)
    service.save_draft(db, user, lab.id, service.check_draft(code))
    if is_htmx(request):
        return render(request, "partials/draft_status.html", {"saved_at": utcnow()})
    return RedirectResponse(f"/labs/{lab.id}#code", status_code=303)


@router.post("/labs/{lab_id}/draft/reset")
def reset_draft(request: Request, db: Db, user: CurrentUser, lab_id: str):
    """Back to the starter file (the editor asks first; the no-JS button lands on a confirm page first)."""
    lab = service.get_lab(db, lab_id)
    if not is_htmx(request) and request.query_params.get("confirmed") != "1":
        return render(request, "pages/lab_reset.html", {"lab": lab})
    starter = service.reset_draft(db, user, lab)
    if is_htmx(request):
        return render(request, "partials/draft_status.html", {"saved_at": utcnow(), "reset": True,
                                                              "starter": starter})
    return RedirectResponse(f"/labs/{lab.id}#code", status_code=303)


@router.post("/labs/{lab_id}/diff")
def draft_diff(request: Request, db: Db, user: CurrentUser, lab_id: str, against: int = Form(..., ge=1, le=MAX_ROW_ID),
               code: str | None = Form(None)):
    """The draft (what the editor holds, else the saved draft) against one of the student's attempts."""
    lab = service.get_lab(db, lab_id)
    earlier = service.get_submission(db, user, against)
    if earlier.lab_id != lab.id:
        raise AppError(404, f"Attempt {against} is not an attempt at {lab.id}.", "not_found")
    current = service.check_draft(code) if code is not None else service.editor_code(db, user, lab)
    context = {"lab": lab, "earlier": earlier, "diff": service.draft_diff(current, earlier)}
    if is_htmx(request):
        return render(request, "partials/draft_diff.html", context)
    return render(request, "pages/lab_diff.html", context)


@router.post("/labs/{lab_id}/submissions")
def submit(request: Request, db: Db, user: CurrentUser, lab_id: str, code: str = Form(""),
           file: UploadFile | None = File(None)):
    lab = service.get_lab(db, lab_id)
    if bundles.is_bundle_lab(lab):  # the capstone: a .zip of the project
        raw = file.file.read(bundles.upload_read_limit(lab, 0)) if file is not None and file.filename else None
        text = bundles.decode_zip_upload(lab, raw, file.filename if file is not None else None)
    elif file is not None and file.filename:
        raw = file.file.read(service.get_settings().max_upload_bytes + 1)
        text = service.decode_upload(raw, file.filename)
    else:
        try:
            text = service.decode_upload(code.encode("utf-8"), "")
        except AppError as exc:
            raise AppError(exc.status_code, exc.message.replace("The file", "Your code"), exc.code) from None
    submission = service.submit(db, user, lab_id, text)
    if is_htmx(request):
        return live_fragment(request, db, user, submission, status_code=202)
    return RedirectResponse(f"/submissions/{submission.id}", status_code=303)


@router.get("/submissions/{submission_id}")
def submission_page(request: Request, db: Db, user: CurrentUser, submission_id: RowId):
    submission = service.get_submission(db, user, submission_id)
    lab = service.get_lab(db, submission.lab_id)
    context = {"submission": submission, "lab": lab, "lab_id": lab.id, "result": service.result_json(submission),
               **status_extras(db, submission)}
    if is_htmx(request):
        return render(request, "partials/submission_status.html", context)
    return render(request, "pages/submission.html", context)


@router.get("/submissions/{submission_id}/status")
def submission_status(request: Request, db: Db, user: CurrentUser, submission_id: RowId):
    submission = service.get_submission(db, user, submission_id)
    if is_htmx(request):
        return live_fragment(request, db, user, submission)
    return RedirectResponse(f"/submissions/{submission_id}", status_code=303)


@router.post("/submissions/{submission_id}/cancel")
def cancel_submission(request: Request, db: Db, user: CurrentUser, submission_id: RowId):
    submission = service.cancel(db, user, submission_id)
    if is_htmx(request):
        return live_fragment(request, db, user, submission)
    return RedirectResponse(f"/submissions/{submission.id}", status_code=303)


@router.get("/submissions/{submission_id}/events")
async def submission_events(request: Request, db: Db, user: CurrentUser, submission_id: RowId):
    """Server-sent events for a waiting submission (the page falls back to 1 s polling without them):
    `live` (output tail and metrics) and `status` (status, place in the queue) whenever they change. The
    stream ends when the submission is final, or after STREAM_SECONDS (the browser reconnects)."""
    service.get_submission(db, user, submission_id)  # 404 unless it is the user's (or staff)
    return StreamingResponse(events.stream(request, submission_id), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
