"""JSON API for labs and submissions (token or session auth)."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlalchemy import select

from app.core.deps import CsrfChecked, CurrentUser, Db
from app.core.errors import AppError
from app.core.params import RowId
from app.course.models import Week
from app.labs import bundles, service
from app.labs.models import Lab
from app.labs.schemas import GradeResult, LabOut, SubmissionCreated

router = APIRouter(prefix="/api/v1", tags=["labs"], dependencies=[CsrfChecked])


def lab_list(db) -> list[dict]:
    rows = db.execute(select(Lab, Week.number).join(Week, Week.id == Lab.week_id)
                      .where(Lab.gradeable.is_(True)).order_by(Lab.id))
    return [LabOut(id=lab.id, title=lab.title, week=number, device=lab.device, max_score=lab.max_score).model_dump()
            for lab, number in rows]


@router.get("/labs", response_model=list[LabOut])
def labs(db: Db, user: CurrentUser):
    return lab_list(db)


@router.post("/labs/{lab_id}/submissions", status_code=202, response_model=SubmissionCreated)
async def create_submission(request: Request, db: Db, user: CurrentUser, lab_id: str):
    """Multipart with a `file` field, or JSON `{"code": "..."}`. Async only to read the body: the database
    work runs in the thread pool, so a write waiting for SQLite's lock never stalls the event loop."""
    lab = await run_in_threadpool(service.get_lab, db, lab_id)
    content_type = request.headers.get("content-type", "")
    if bundles.is_bundle_lab(lab):  # the capstone: multipart "file" with a .zip of the project
        upload = (await request.form()).get("file") if content_type.startswith("multipart/form-data") else None
        if upload is None or isinstance(upload, str):
            raise AppError(415 if not content_type.startswith("multipart/form-data") else 422,
                           bundles.ZIP_ONLY.format(lab=lab.id.capitalize()), "bundle_required")
        code = bundles.decode_zip_upload(lab, await upload.read(bundles.upload_read_limit(lab, 0)), upload.filename)
    elif content_type.startswith("multipart/form-data"):
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise AppError(422, "Send the code as a multipart field named \"file\".", "missing_file")
        raw = await upload.read(service.get_settings().max_upload_bytes + 1)
        code = service.decode_upload(raw, upload.filename or "submission.py")
    elif content_type.startswith("application/json"):
        code = service.parse_json_code(await request.body())
    else:
        raise AppError(415, "Send multipart/form-data with a \"file\" field or JSON {\"code\": \"...\"}.",
                       "unsupported_media_type")
    submission = await run_in_threadpool(service.submit, db, user, lab_id, code)
    return SubmissionCreated(id=submission.id, status=submission.status)


@router.get("/labs/{lab_id}/starter.zip", response_class=Response,
            responses={200: {"content": {"application/zip": {}}}})
def starter_zip(db: Db, user: CurrentUser, lab_id: str) -> Response:
    """The starter project of a lab submitted as a .zip (the capstone): README and model-card templates,
    an app.py skeleton and a first test."""
    lab = service.get_lab(db, lab_id)
    folder = service.get_settings().labs_dir / (lab.folder or "") / "starter"
    if not bundles.is_bundle_lab(lab) or not lab.folder or not folder.is_dir():
        raise AppError(404, f"{lab.id} has no starter project to download; its starter code is on the lab page.",
                       "not_found")
    from labkit.bundle import zip_folder

    return Response(zip_folder(folder), media_type="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{lab.id}-starter.zip"'})


@router.get("/submissions/{submission_id}", response_model=GradeResult)
def get_submission(db: Db, user: CurrentUser, submission_id: RowId) -> GradeResult:
    return service.result_model(service.get_submission(db, user, submission_id), viewer=user)
