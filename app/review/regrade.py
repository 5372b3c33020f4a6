"""Regrade runs: re-grade every latest submission of a lab (after its checks or references changed), or one
submission. A lab regrade is a dry run: the workers grade, nothing changes, the report shows each student's
before/after; an instructor then applies it with a confirmation that names the counts, which changes only the
scores that moved (and notifies only those students). Runs go through the same sandbox path as the worker (worker.jobs.grade_code, worker/review_tasks.py). Each item is claimed
with a conditional update, so a redelivered task is harmless; scores change only through
review.service.change_score, which writes the audit row; each item keeps the before/after."""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from app.config import get_settings
from app.core.db import session_scope, utcnow
from app.core.errors import bad_request, conflict, not_found
from app.core.tasks import REGRADE_ITEM, enqueue
from app.labs.models import Lab, Submission
from app.notifications.service import notify
from app.review.models import RegradeItem, RegradeRun, ReviewItem
from app.review.service import change_score, human_score_stands
from app.users.models import User

log = logging.getLogger(__name__)
PENDING = ("queued", "running")
MAX_REASON = 500


def lab_hash(lab: Lab) -> str:
    """The content hash of the lab folder on disk now (what the regrade will grade against)."""
    from labkit.manifest import content_hash

    if not lab.folder:
        return ""
    path = get_settings().labs_dir / lab.folder
    return content_hash(path) if (path / "lab.yaml").exists() else ""


def active_run(db: Session, lab_id: str) -> RegradeRun | None:
    return db.scalar(select(RegradeRun).where(RegradeRun.lab_id == lab_id, RegradeRun.scope == "lab",
                                              RegradeRun.state == "running").limit(1))


def latest_submissions(db: Session, lab_id: str, cohort_id: int | None = None) -> list[Submission]:
    """Each student's latest submission of the lab (of one cohort's students when `cohort_id` is given)."""
    query = select(func.max(Submission.id)).where(Submission.lab_id == lab_id)
    if cohort_id is not None:
        from app.cohorts.models import Enrollment

        query = query.where(Submission.user_id.in_(select(Enrollment.user_id).where(Enrollment.cohort_id == cohort_id)))
    latest = query.group_by(Submission.user_id).scalar_subquery()
    return list(db.scalars(select(Submission).where(Submission.id.in_(latest)).order_by(Submission.id)))


def _reason(reason: str, default: str) -> str:
    text = (reason or "").strip()
    if len(text) > MAX_REASON:
        raise bad_request(f"The reason is too long ({MAX_REASON} characters at most).", "too_long")
    return text or default


def _enqueue(db: Session, lab: Lab, item_ids: list[int]) -> None:
    for item_id in item_ids:
        enqueue(db, REGRADE_ITEM, item_id, queue=lab.device or "cpu")


def start_lab_regrade(db: Session, lab: Lab, actor: User, reason: str = "", cohort_id: int | None = None) -> RegradeRun:
    """A dry run: every student's latest submission of `lab` (of one cohort, optionally) graded again in the
    background; scores change only when an instructor applies the run (apply_run)."""
    if not lab.gradeable or not lab.folder:
        raise conflict(f"{lab.id} is not gradeable, so there is nothing to regrade.", "not_gradeable")
    reason = _reason(reason, "The lab's checks or references changed.")
    if active_run(db, lab.id) is not None:
        raise conflict(f"A regrade of {lab.id} is already running; wait for it to finish.", "regrade_running")
    cohort = None
    if cohort_id is not None:
        from app.cohorts.models import Cohort

        cohort = db.get(Cohort, cohort_id)
        if cohort is None:
            raise bad_request(f"There is no cohort {cohort_id}; choose one from the list.", "bad_cohort")
    submissions = latest_submissions(db, lab.id, cohort_id)
    if not submissions:
        where = f" in {cohort.name}" if cohort is not None else ""
        raise conflict(f"Nobody{where} has submitted {lab.id} yet; there is nothing to regrade.", "nothing_to_regrade")
    run = RegradeRun(lab_id=lab.id, scope="lab", state="running", reason=reason, lab_hash=lab_hash(lab),
                     total=len(submissions), started_by_id=actor.id, created_at=utcnow(), dry_run=True,
                     cohort_id=cohort_id)
    db.add(run)
    db.flush()
    queued = _add_items(db, run, submissions)
    db.flush()
    _enqueue(db, lab, queued)
    if not queued:
        finish_run_if_done(db, run)
    return run


def start_submission_regrade(db: Session, submission: Submission, actor: User, reason: str = "") -> RegradeRun:
    """Grade one submission again (e.g. after a platform error was fixed)."""
    lab = db.get(Lab, submission.lab_id)
    if lab is None or not lab.gradeable or not lab.folder:
        raise conflict(f"{submission.lab_id} is not gradeable.", "not_gradeable")
    if submission.status in PENDING:
        raise conflict("This submission is still being graded.", "not_graded")
    if db.scalar(select(RegradeItem.id).where(RegradeItem.submission_id == submission.id,
                                              RegradeItem.state.in_(PENDING)).limit(1)):
        raise conflict("A regrade of this submission is already under way.", "regrade_running")
    reason = _reason(reason, "Regraded by a grader.")
    run = RegradeRun(lab_id=lab.id, scope="submission", state="running", reason=reason, lab_hash=lab_hash(lab),
                     total=1, started_by_id=actor.id, created_at=utcnow())
    db.add(run)
    db.flush()
    _enqueue(db, lab, _add_items(db, run, [submission]))
    return run


def _add_items(db: Session, run: RegradeRun, submissions: list[Submission]) -> list[int]:
    queued = []
    for submission in submissions:
        pending = submission.status in PENDING
        item = RegradeItem(run_id=run.id, submission_id=submission.id, state="skipped" if pending else "queued",
                           old_score=submission.score, old_status=submission.status,
                           error="Still being graded; its own grading uses the current checks." if pending else "",
                           finished_at=utcnow() if pending else None)
        db.add(item)
        db.flush()
        if not pending:
            queued.append(item.id)
    return queued


def get_run(db: Session, run_id: int) -> RegradeRun:
    run = db.get(RegradeRun, run_id)
    if run is None:
        raise not_found(f"Regrade run {run_id}")
    return run


def list_runs(db: Session, lab_id: str, limit: int = 20) -> list[RegradeRun]:
    return list(db.scalars(select(RegradeRun).where(RegradeRun.lab_id == lab_id)
                           .order_by(RegradeRun.id.desc()).limit(limit)))


def counts(db: Session, run_id: int) -> dict[str, int]:
    rows = db.execute(select(RegradeItem.state, func.count()).where(RegradeItem.run_id == run_id)
                      .group_by(RegradeItem.state)).all()
    out = {"queued": 0, "running": 0, "done": 0, "error": 0, "skipped": 0}
    out.update({state: count for state, count in rows})
    out["finished"] = out["done"] + out["error"] + out["skipped"]
    out["total"] = sum(out[s] for s in ("queued", "running", "done", "error", "skipped"))
    return out


@dataclass
class ReportRow:
    item: RegradeItem
    submission: Submission
    student: User

    @property
    def delta(self) -> float | None:
        if self.item.state != "done" or self.item.final_score is None or self.item.old_score is None:
            return None
        return round(self.item.final_score - self.item.old_score, 4)

    @property
    def auto_delta(self) -> float | None:
        if self.item.new_score is None or self.item.old_score is None:
            return None
        return round(self.item.new_score - self.item.old_score, 4)

    @property
    def direction(self) -> str:
        if self.item.state != "done":
            return self.item.state
        delta = self.delta if not self.item.kept_override else self.auto_delta
        if delta is None:
            return "same"
        return "up" if delta > 0 else "down" if delta < 0 else "same"


def report(db: Session, run: RegradeRun) -> dict:
    rows = [ReportRow(item, submission, student) for item, submission, student in db.execute(
        select(RegradeItem, Submission, User).join(Submission, Submission.id == RegradeItem.submission_id)
        .join(User, User.id == Submission.user_id).where(RegradeItem.run_id == run.id)
        .order_by(RegradeItem.id)).tuples()]
    order = {"down": 0, "up": 1, "error": 2, "same": 3, "skipped": 4, "running": 5, "queued": 6}
    rows.sort(key=lambda r: (order.get(r.direction, 9), r.student.name.lower(), r.item.id))
    summary = {"up": 0, "down": 0, "same": 0, "error": 0, "skipped": 0, "pending": 0, "kept_override": 0}
    for row in rows:
        direction = row.direction
        summary["pending" if direction in PENDING else direction] += 1
        summary["kept_override"] += int(row.item.kept_override)
    return {"rows": rows, "summary": summary}


def report_json(db: Session, run: RegradeRun) -> dict:
    data = report(db, run)
    return {
        "id": run.id, "lab_id": run.lab_id, "scope": run.scope, "state": run.state, "reason": run.reason,
        "lab_hash": run.lab_hash, "created_at": run.created_at.isoformat(), "dry_run": run.dry_run,
        "cohort_id": run.cohort_id, "applied_at": run.applied_at.isoformat() if run.applied_at else None,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "progress": counts(db, run.id), "summary": data["summary"],
        "items": [{"submission_id": r.submission.id, "student": {"id": r.student.id, "name": r.student.name,
                                                                  "email": r.student.email},
                   "state": r.item.state, "direction": r.direction, "old_score": r.item.old_score,
                   "new_score": r.item.new_score, "final_score": r.item.final_score, "delta": r.delta,
                   "kept_override": r.item.kept_override, "old_status": r.item.old_status,
                   "new_status": r.item.new_status, "changed_checks": r.item.changed_checks, "error": r.item.error,
                   "applied": r.item.applied}
                  for r in data["rows"]],
    }


def resume(db: Session, run: RegradeRun) -> int:
    """Re-send items whose message may be lost (queued) or whose worker died (running past deadline)."""
    if run.state != "running":
        raise conflict("This regrade run has finished; start a new one instead.", "finished")
    now = utcnow()
    items = list(db.scalars(select(RegradeItem).where(
        RegradeItem.run_id == run.id,
        or_(RegradeItem.state == "queued", (RegradeItem.state == "running") & (RegradeItem.deadline_at < now)))))
    for item in items:
        item.state, item.claim_token = "queued", None
    db.flush()
    lab = db.get(Lab, run.lab_id)
    _enqueue(db, lab, [i.id for i in items])
    return len(items)


def finish_run_if_done(db: Session, run: RegradeRun) -> bool:
    remaining = db.scalar(select(func.count()).select_from(RegradeItem)
                          .where(RegradeItem.run_id == run.id, RegradeItem.state.in_(PENDING)))
    if remaining or run.state != "running":
        return False
    done = db.execute(update(RegradeRun).where(RegradeRun.id == run.id, RegradeRun.state == "running")
                      .values(state="done", finished_at=utcnow())
                      .execution_options(synchronize_session="fetch")).rowcount
    if done == 1 and run.started_by_id and run.scope == "lab":
        summary = report(db, run)["summary"]
        title = (f"Dry run of the {run.lab_id.upper()} regrade finished: review and apply it" if run.dry_run
                 else f"Regrade of {run.lab_id.upper()} finished")
        notify(db, run.started_by_id, "regrade_done", title,
               f"{summary['up']} would go up, {summary['down']} down, {summary['same']} unchanged, "
               f"{summary['error']} error(s). No score changed yet." if run.dry_run else
               f"{summary['up']} up, {summary['down']} down, {summary['same']} unchanged, "
               f"{summary['error']} error(s).", f"/review/regrades/{run.id}")
    return done == 1


def can_apply(db: Session, run: RegradeRun) -> bool:
    return run.dry_run and run.state == "done" and run.applied_at is None


def apply_run(db: Session, run: RegradeRun, actor: User, confirm_up, confirm_down) -> dict[str, int]:
    """Apply a finished dry run. The confirmation must name the counts the instructor saw (how many go up
    and down), so a stale page cannot apply something else; the lab must still be the version that was
    graded. A submission graded again since the dry run (a newer attempt, a grader's change, another
    regrade) is left alone. Only scores that move change, through change_score (audit row, and one
    notification to that student); unchanged ones get the new result silently."""
    if not run.dry_run:
        raise conflict("Only a dry run is applied; this run already changed the scores.", "not_dry_run")
    if run.state != "done":
        raise conflict("The dry run is still grading; apply it when every submission is done.", "still_running")
    if run.applied_at is not None:
        raise conflict("This dry run was already applied.", "already_applied")
    summary = report(db, run)["summary"]
    try:
        up, down = int(str(confirm_up).strip()), int(str(confirm_down).strip())
    except (TypeError, ValueError):
        raise bad_request("Confirm with the number of scores that go up and down.", "bad_confirmation") from None
    if (up, down) != (summary["up"], summary["down"]):
        raise conflict(f"The confirmation names {up} up and {down} down, but this dry run has {summary['up']} up "
                       f"and {summary['down']} down; reload the page and review it again.", "stale_confirmation")
    lab = db.get(Lab, run.lab_id)
    if lab is not None and run.lab_hash and lab_hash(lab) != run.lab_hash:
        raise conflict("The lab changed since this dry run; start a new dry run.", "lab_changed")
    applied = {"changed": 0, "unchanged": 0, "superseded": 0, "kept": 0}
    items = list(db.scalars(select(RegradeItem).where(RegradeItem.run_id == run.id, RegradeItem.state == "done")
                            .order_by(RegradeItem.id)))
    for item in items:
        item.applied = _apply_item(db, run, item, actor)
        applied[item.applied] += 1
    run.applied_at, run.applied_by_id = utcnow(), actor.id
    db.flush()
    return applied


def _apply_item(db: Session, run: RegradeRun, item: RegradeItem, actor: User) -> str:
    from app.review.service import latest_change

    submission = db.get(Submission, item.submission_id)
    newer = db.scalar(select(Submission.id).where(Submission.user_id == submission.user_id,
                                                  Submission.lab_id == submission.lab_id,
                                                  Submission.id > submission.id).limit(1))
    change = latest_change(db, submission.id)
    if newer is not None or item.result is None or (change is not None and change.created_at > run.created_at):
        return "superseded"
    keep = human_score_stands(db, submission.id)
    result = dict(item.result)
    if keep:
        result["score"] = submission.score
    submission.result = result
    submission.status = result.get("status", submission.status)
    submission.max_score = result.get("max_score") or submission.max_score
    if keep:
        return "kept"
    moved = change_score(db, submission, item.new_score, kind="regrade", actor=actor,
                         reason=f"Regrade of the lab (run #{run.id}): {run.reason}")
    return "changed" if moved is not None else "unchanged"


# ---------------------------------------------------------------- worker side

def claim_item(db: Session, item_id: int, worker: str) -> str | None:
    item = db.get(RegradeItem, item_id)
    if item is None:
        return None
    submission = db.get(Submission, item.submission_id)
    lab = db.get(Lab, submission.lab_id)
    wall = int(((lab.manifest or {}).get("limits") or {}).get("wall_seconds", 60))
    now = utcnow()
    token = uuid.uuid4().hex
    claimed = db.execute(update(RegradeItem).where(
        RegradeItem.id == item_id,
        or_(RegradeItem.state == "queued", (RegradeItem.state == "running") & (RegradeItem.deadline_at < now)))
        .values(state="running", claim_token=token, attempts=RegradeItem.attempts + 1,
                deadline_at=now + timedelta(seconds=wall * 2 + get_settings().job_deadline_margin_seconds))
        .execution_options(synchronize_session=False)).rowcount
    return token if claimed == 1 else None


def _points(result: dict | None) -> dict[str, float]:
    return {t.get("name"): float(t.get("points") or 0.0) for t in (result or {}).get("tests") or []}


def finish_item(db: Session, item_id: int, token: str, result: dict) -> bool:
    """Record a regrade result only while this worker holds the claim."""
    done = db.execute(update(RegradeItem).where(RegradeItem.id == item_id, RegradeItem.claim_token == token,
                                                RegradeItem.state == "running")
                      .values(state="done", claim_token=None, finished_at=utcnow())
                      .execution_options(synchronize_session=False)).rowcount
    if done != 1:
        return False
    item = db.get(RegradeItem, item_id)
    db.refresh(item)
    run = db.get(RegradeRun, item.run_id)
    submission = db.get(Submission, item.submission_id)
    actor = db.get(User, run.started_by_id) if run.started_by_id else None
    if result.get("platform_error"):
        item.state = "error"
        item.error = "The grader had a problem of its own: " + str(result["platform_error"])[:1000]
    else:
        before, after = _points(submission.result), _points(result)
        item.changed_checks = [[name, before.get(name), after.get(name)] for name in sorted(set(before) | set(after))
                               if before.get(name) != after.get(name)]
        item.state, item.new_score, item.new_status = "done", result["score"], result["status"]
        item.old_score, item.old_status = submission.score, submission.status
        keep = human_score_stands(db, submission.id)
        new_result = {**result, "submission_id": submission.id}
        if run.dry_run:  # nothing changes: the projected score and the result are kept for apply_run
            item.kept_override = keep
            item.final_score = submission.score if keep else result["score"]
            item.result = new_result
            db.flush()
            finish_run_if_done(db, run)
            return True
        if keep:
            new_result["score"] = submission.score
        submission.result = new_result
        submission.status = result["status"]
        submission.max_score = result["max_score"] or submission.max_score
        label = "Regrade of the lab" if run.scope == "lab" else "Regrade of this submission"
        if keep:
            item.kept_override = True
        else:
            change_score(db, submission, result["score"], kind="regrade", actor=actor,
                         reason=f"{label} (run #{run.id}): {run.reason}")
        item.final_score = submission.score
        db.execute(update(ReviewItem).where(ReviewItem.submission_id == submission.id, ReviewItem.state == "open",
                                            ReviewItem.reason == "platform_error")
                   .values(state="resolved", resolved_at=utcnow(), resolved_by_id=actor.id if actor else None,
                           resolution=f"Regraded successfully (run #{run.id})."))
    db.flush()
    finish_run_if_done(db, run)
    return True
