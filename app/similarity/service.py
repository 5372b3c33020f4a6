"""Similarity checks of a lab's submissions: started from the web (a run row, a task sent after commit),
computed by a worker, flagged pairs put in the review queue. Services flush, never commit."""
from __future__ import annotations

import logging
import math
from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, aliased

from app.core.db import session_scope, utcnow
from app.core.errors import bad_request, conflict, not_found
from app.labs.models import Lab, Submission
from app.notifications.service import notify
from app.core.tasks import SIMILARITY_RUN, enqueue
from app.review.models import ReviewItem
from app.review.service import add_queue_item
from app.similarity import fingerprint as fp
from app.similarity.models import SimilarityPair, SimilarityRun
from app.users.models import User

log = logging.getLogger(__name__)
DEFAULT_THRESHOLD = 0.6
STALE_AFTER = timedelta(minutes=30)


def parse_threshold(raw) -> float:
    if raw in (None, ""):
        return DEFAULT_THRESHOLD
    try:
        value = float(str(raw).strip().replace(",", "."))
    except ValueError:
        raise bad_request("The threshold must be a number between 0.3 and 1, e.g. 0.6.", "bad_threshold") from None
    if not math.isfinite(value) or not 0.3 <= value <= 1.0:
        raise bad_request("The threshold must be between 0.3 and 1.", "bad_threshold")
    return round(value, 3)


def start_run(db: Session, lab: Lab, actor: User, threshold=None) -> SimilarityRun:
    value = parse_threshold(threshold)
    if not lab.gradeable:
        raise conflict(f"{lab.id} takes no submissions, so there is nothing to compare.", "not_gradeable")
    if (lab.submit_file or "").endswith(".zip"):
        raise conflict(f"{lab.id} takes whole projects (.zip); the similarity check compares single files.",
                       "not_comparable")
    if db.scalar(select(SimilarityRun.id).where(SimilarityRun.lab_id == lab.id,
                                                SimilarityRun.state.in_(("queued", "running"))).limit(1)):
        raise conflict(f"A similarity check of {lab.id} is already running.", "similarity_running")
    run = SimilarityRun(lab_id=lab.id, state="queued", threshold=value, started_by_id=actor.id, created_at=utcnow())
    db.add(run)
    db.flush()
    enqueue(db, SIMILARITY_RUN, run.id)
    return run


def get_run(db: Session, run_id: int) -> SimilarityRun:
    run = db.get(SimilarityRun, run_id)
    if run is None:
        raise not_found(f"Similarity run {run_id}")
    return run


def list_runs(db: Session, lab_id: str, limit: int = 10) -> list[SimilarityRun]:
    return list(db.scalars(select(SimilarityRun).where(SimilarityRun.lab_id == lab_id)
                           .order_by(SimilarityRun.id.desc()).limit(limit)))


def run_pairs(db: Session, run_id: int) -> list[tuple[SimilarityPair, Submission, User, Submission, User]]:
    sub_a, sub_b, user_a, user_b = aliased(Submission), aliased(Submission), aliased(User), aliased(User)
    return list(db.execute(
        select(SimilarityPair, sub_a, user_a, sub_b, user_b)
        .join(sub_a, sub_a.id == SimilarityPair.submission_a_id).join(user_a, user_a.id == sub_a.user_id)
        .join(sub_b, sub_b.id == SimilarityPair.submission_b_id).join(user_b, user_b.id == sub_b.user_id)
        .where(SimilarityPair.run_id == run_id).order_by(SimilarityPair.score.desc(), SimilarityPair.id)).tuples())


def pairs_for_submission(db: Session, submission_id: int) -> list[SimilarityPair]:
    return list(db.scalars(select(SimilarityPair).where(or_(SimilarityPair.submission_a_id == submission_id,
                                                            SimilarityPair.submission_b_id == submission_id))
                           .order_by(SimilarityPair.id.desc()).limit(20)))


def get_pair(db: Session, pair_id: int) -> SimilarityPair:
    pair = db.get(SimilarityPair, pair_id)
    if pair is None:
        raise not_found(f"Similarity pair {pair_id}")
    return pair


def judge_pair(db: Session, pair: SimilarityPair, actor: User, status: str, note: str = "") -> SimilarityPair:
    if status not in ("dismissed", "confirmed", "flagged"):
        raise bad_request("Mark the pair as dismissed (not a copy), confirmed (a copy) or flagged.", "bad_status")
    note = (note or "").strip()
    if len(note) > 1000:
        raise bad_request("The note is too long (1000 characters at most).", "too_long")
    pair.status, pair.reviewed_by_id, pair.reviewed_at = status, actor.id, utcnow()
    if status != "flagged":
        label = "Not a copy (dismissed)" if status == "dismissed" else "Confirmed as a copy"
        db.execute(update(ReviewItem).where(ReviewItem.similarity_pair_id == pair.id, ReviewItem.state == "open")
                   .values(state="resolved", resolved_at=utcnow(), resolved_by_id=actor.id,
                           resolution=label + (f": {note}" if note else ".")))
    db.flush()
    return pair


def side_by_side(pair: SimilarityPair, a: Submission, b: Submission) -> dict:
    """Both codes highlighted, matching lines marked, and the region list linking both sides."""
    from app.review.render import highlight_code

    a_lines = sorted({n for r in pair.regions for n in range(r[0], r[1] + 1)})
    b_lines = sorted({n for r in pair.regions for n in range(r[2], r[3] + 1)})
    return {"a_html": highlight_code(a.code, hl_lines=a_lines, anchor="a"),
            "b_html": highlight_code(b.code, hl_lines=b_lines, anchor="b"),
            "regions": pair.regions}


# ---------------------------------------------------------------- worker side

def _latest(db: Session, lab_id: str) -> list[Submission]:
    """Each student's latest finished attempt; staff submissions (reference solutions, demos) never count."""
    from app.review.regrade import latest_submissions

    staff = set(db.scalars(select(User.id).where(User.role != "student")))
    return [s for s in latest_submissions(db, lab_id) if s.status not in ("queued", "running") and s.user_id not in staff]


def claim_run(db: Session, run_id: int) -> bool:
    now = utcnow()
    return db.execute(update(SimilarityRun).where(
        SimilarityRun.id == run_id,
        or_(SimilarityRun.state == "queued",
            (SimilarityRun.state == "running") & (SimilarityRun.started_at < now - STALE_AFTER)))
        .values(state="running", started_at=now).execution_options(synchronize_session=False)).rowcount == 1


def compute(documents: dict[int, str], starter: str) -> dict[tuple[int, int], fp.Match]:
    exclude = fp.starter_hashes(starter)
    prints = {doc_id: fp.fingerprint(code, exclude) for doc_id, code in documents.items()}
    return {(a, b): fp.compare(prints[a], prints[b]) for a, b in fp.candidate_pairs(prints)}


def record(db: Session, run: SimilarityRun, owners: dict[int, int], matches: dict[tuple[int, int], fp.Match]) -> None:
    flagged, top_unflagged = 0, None
    for (a, b), match in sorted(matches.items(), key=lambda kv: -kv[1].score):
        if owners[a] == owners[b]:
            continue
        if match.score < run.threshold:
            top_unflagged = max(top_unflagged or 0.0, match.score)
            continue
        earlier = db.scalar(select(SimilarityPair).where(SimilarityPair.submission_a_id == a,
                                                         SimilarityPair.submission_b_id == b)
                            .order_by(SimilarityPair.id.desc()).limit(1))
        pair = SimilarityPair(run_id=run.id, lab_id=run.lab_id, submission_a_id=a, submission_b_id=b,
                              score=match.score, jaccard=match.jaccard, regions=match.regions,
                              status=earlier.status if earlier else "flagged", created_at=utcnow())
        if earlier is not None and earlier.status != "flagged":
            pair.reviewed_by_id, pair.reviewed_at = earlier.reviewed_by_id, earlier.reviewed_at
        db.add(pair)
        db.flush()
        flagged += 1
        if pair.status == "flagged":
            later = db.get(Submission, max(a, b))
            add_queue_item(db, later, "similarity", similarity_pair_id=pair.id,
                           detail=f"{round(match.score * 100)}% of the smaller submission matches submission "
                                  f"{min(a, b)}.")
    run.flagged, run.top_unflagged = flagged, top_unflagged
    run.state, run.finished_at = "done", utcnow()
    if run.started_by_id:
        notify(db, run.started_by_id, "similarity_done", f"Similarity check of {run.lab_id.upper()} finished",
               f"{run.compared} submissions compared, {flagged} pair(s) at or above {run.threshold:g}.",
               f"/review/similarity/{run.id}")
    db.flush()


def run_check(run_id: int) -> str:
    """The Celery task body: read, compute outside any transaction, write the pairs in one unit."""
    with session_scope() as db:
        if not claim_run(db, run_id):
            return "skipped"
        run = db.get(SimilarityRun, run_id)
        lab = db.get(Lab, run.lab_id)
        submissions = _latest(db, run.lab_id)
        documents = {s.id: s.code for s in submissions}
        owners = {s.id: s.user_id for s in submissions}
        starter = lab.starter_code or ""
    try:
        matches = compute(documents, starter)
        with session_scope() as db:
            run = db.get(SimilarityRun, run_id)
            run.compared = len(documents)
            record(db, run, owners, matches)
        return "done"
    except Exception as exc:  # noqa: BLE001 - recorded on the run, shown to staff
        log.exception("similarity run %s failed", run_id)
        with session_scope() as db:
            db.execute(update(SimilarityRun).where(SimilarityRun.id == run_id)
                       .values(state="error", error=f"{type(exc).__name__}: {exc}"[:2000], finished_at=utcnow()))
        return "error"
