"""Multi-file submissions (the capstone's .zip): validated in memory before anything is stored, stored as
base64 text in the submission's `code`, unpacked only inside the grading sandbox (labkit/bundle.py)."""
from __future__ import annotations

from labkit.bundle import BundleError, BundleLimits, bundle_files, encode, read_bundle

from app.core.errors import AppError
from app.labs.models import Lab

ZIP_ONLY = ("{lab} takes a .zip of your project folder (README.md, MODEL_CARD.md, app.py, tests/): upload it "
            "as the multipart field \"file\".")


def is_bundle_lab(lab: Lab) -> bool:
    return (lab.submit_file or "").endswith(".zip")


def limits(lab: Lab) -> BundleLimits:
    return BundleLimits.from_kb((lab.manifest or {}).get("bundle"))


def upload_read_limit(lab: Lab, default: int) -> int:
    """How many bytes of an upload to read: one more than the largest accepted, so a larger one is seen."""
    return (limits(lab).max_zip_bytes if is_bundle_lab(lab) else default) + 1


def decode_zip_upload(lab: Lab, raw: bytes | None, filename: str | None) -> str:
    """The zip as stored (base64 text), or a 4xx that says which rule it breaks."""
    if raw is None or not filename:
        raise AppError(422, ZIP_ONLY.format(lab=lab.id.capitalize()), "bundle_required")
    if not filename.lower().endswith(".zip"):
        raise AppError(400, ZIP_ONLY.format(lab=lab.id.capitalize()), "bad_extension")
    cap = limits(lab)
    if len(raw) > cap.max_zip_bytes:
        raise AppError(413, f"The zip is {len(raw) // 1024} KB; the limit is {cap.max_zip_bytes // 1024} KB.",
                       "too_large")
    try:
        read_bundle(raw, cap)
    except BundleError as exc:
        raise AppError(400, str(exc), "bad_bundle") from None
    return encode(raw)


def files_of(lab: Lab, code: str) -> dict[str, str]:
    """A stored bundle's files for the review and submission pages ({} when unreadable)."""
    return bundle_files(code, limits(lab))


def smoke_tests(result: dict | None) -> list[dict]:
    """A held result's checks that the student may see at once: those of a lab graded by its rubric, whose
    checks are a 0-point smoke test (they reveal nothing of the score, which waits for the grader)."""
    tests = (result or {}).get("tests") or []
    return tests if tests and all(not float(t.get("max_points") or 0) for t in tests) else []
