"""Lab pages: instructions, editor, upload, live result, attempt history."""
from __future__ import annotations

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse

from app.core.deps import CsrfChecked, CurrentUser, Db
from app.core.errors import AppError
from app.core.params import RowId
from app.course.service import best_scores
from app.labs import bundles, hooks, service
from app.web.templating import is_htmx, render

router = APIRouter(dependencies=[CsrfChecked])


@router.get("/labs")
def labs_page(request: Request, db: Db, user: CurrentUser):
    return render(request, "pages/labs.html", {"labs": service.list_labs(db), "bests": best_scores(db, user.id)})


@router.get("/labs/{lab_id}")
def lab_page(request: Request, db: Db, user: CurrentUser, lab_id: str):
    lab = service.get_lab(db, lab_id)
    attempts = service.history(db, user, lab.id)
    graded = [s.score for s in attempts if s.status == "graded" and s.score is not None
              and not hooks.feedback_held(s)]
    return render(request, "pages/lab.html", {
        "lab": lab, "code": service.editor_code(db, user, lab), "attempts": attempts,
        "best": max(graded) if graded else None, "latest": attempts[0] if attempts else None,
        "models": service.models_in_use(lab)})


@router.post("/labs/{lab_id}/submissions")
async def submit(request: Request, db: Db, user: CurrentUser, lab_id: str, code: str = Form(""),
                 file: UploadFile | None = File(None)):
    lab = service.get_lab(db, lab_id)
    if bundles.is_bundle_lab(lab):  # the capstone: a .zip of the project
        raw = await file.read(bundles.upload_read_limit(lab, 0)) if file is not None and file.filename else None
        text = bundles.decode_zip_upload(lab, raw, file.filename if file is not None else None)
    elif file is not None and file.filename:
        raw = await file.read(service.get_settings().max_upload_bytes + 1)
        text = service.decode_upload(raw, file.filename)
    else:
        try:
            text = service.decode_upload(code.encode("utf-8"), "")
        except AppError as exc:
            raise AppError(exc.status_code, exc.message.replace("The file", "Your code"), exc.code) from None
    submission = service.submit(db, user, lab_id, text)
    if is_htmx(request):
        return render(request, "partials/submission_status.html", {"submission": submission, "lab_id": lab_id},
                      status_code=202)
    return RedirectResponse(f"/submissions/{submission.id}", status_code=303)


@router.get("/submissions/{submission_id}")
def submission_page(request: Request, db: Db, user: CurrentUser, submission_id: RowId):
    submission = service.get_submission(db, user, submission_id)
    lab = service.get_lab(db, submission.lab_id)
    context = {"submission": submission, "lab": lab, "lab_id": lab.id, "result": service.result_json(submission)}
    if is_htmx(request):
        return render(request, "partials/submission_status.html", context)
    return render(request, "pages/submission.html", context)


@router.get("/submissions/{submission_id}/status")
def submission_status(request: Request, db: Db, user: CurrentUser, submission_id: RowId):
    submission = service.get_submission(db, user, submission_id)
    context = {"submission": submission, "lab_id": submission.lab_id, "result": service.result_json(submission)}
    if is_htmx(request):
        return render(request, "partials/submission_status.html", context)
    return RedirectResponse(f"/submissions/{submission_id}", status_code=303)
