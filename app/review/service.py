"""Grader workflow: the score audit trail (the one path that changes scores), feedback holds and release,
the review queue, rubrics and reusable comments, regrade requests. Services flush, never commit."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.orm import Session, aliased, object_session

from app.cohorts.models import Enrollment
from app.core.db import utcnow
from app.core.errors import bad_request, conflict, forbidden, not_found
from app.core.params import parse_row_id
from app.labs.models import Lab, Submission
from app.notifications.service import notify
from app.review.models import (
    QUEUE_REASONS, SCORE_CHANGE_KINDS, LabReviewSetting, RegradeMessage, RegradeRequest, ReviewItem, RubricItem,
    RubricMark, SavedComment, ScoreChange, SubmissionReview,
)
from app.users.models import User

TERMINAL = ("graded", "error", "timeout", "rejected")
MAX_REASON = 2000
MAX_MESSAGE = 4000
MAX_COMMENT = 4000
REASON_LABELS = {"manual_review": "Manual review", "regrade_request": "Regrade request",
                 "similarity": "Similarity flag", "platform_error": "Platform error"}
KIND_LABELS = {"auto": "Automatic grade", "regrade": "Regrade", "override": "Override", "rubric": "Rubric"}


# ---------------------------------------------------------------- lookups

def get_submission(db: Session, submission_id: int) -> Submission:
    submission = db.get(Submission, submission_id)
    if submission is None:
        raise not_found(f"Submission {submission_id}")
    return submission


def get_lab(db: Session, lab_id: str) -> Lab:
    lab = db.get(Lab, lab_id)
    if lab is None:
        raise not_found(f"Lab {lab_id!r}")
    return lab


def automatic_score(submission: Submission) -> float | None:
    """The score the checks gave: the sum of the tests' points of the latest graded run."""
    result = submission.result or {}
    if not result or "tests" not in result:
        return None
    return float(sum(float(t.get("points") or 0.0) for t in result.get("tests") or []))


def manual_checks(lab: Lab) -> list[str]:
    return [c["name"] for c in (lab.manifest or {}).get("checks", []) if c.get("manual")]


def needs_manual_review(lab: Lab) -> bool:
    return bool((lab.manifest or {}).get("manual_review")) or bool(manual_checks(lab))


def _text(value: str | None, what: str, limit: int, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise bad_request(f"{what} is required.", "missing_text")
    if len(text) > limit:
        raise bad_request(f"{what} is too long ({limit} characters at most).", "too_long")
    return text


def parse_score(raw, max_score: float) -> float:
    """A score typed by a person: a finite number between 0 and the maximum."""
    try:
        value = float(str(raw).strip().replace(",", "."))
    except (TypeError, ValueError):
        raise bad_request("The score must be a number, e.g. 7.5.", "bad_score") from None
    if not math.isfinite(value) or value < 0 or value > max_score:
        raise bad_request(f"The score must be between 0 and {max_score:g}.", "bad_score")
    return round(value, 4)


# ---------------------------------------------------------------- the audit trail

def recorded_score(db: Session, submission_id: int) -> tuple[bool, float | None]:
    """(whether any change was recorded, the score after the latest recorded change)."""
    row = db.execute(select(ScoreChange.new_score).where(ScoreChange.submission_id == submission_id)
                     .order_by(ScoreChange.id.desc()).limit(1)).first()
    return (row is not None, row[0] if row is not None else None)


def record_auto_grade(db: Session, submission: Submission) -> ScoreChange:
    """Called when a grading job lands (jobs.finish has already stored the score)."""
    _, old = recorded_score(db, submission.id)
    status = (submission.result or {}).get("status", submission.status)
    reason = f"Automatic grade of attempt {submission.attempt} ({status})."
    if (submission.result or {}).get("platform_error"):
        reason = "Automatic grade failed with a platform error; flagged for staff."
    change = ScoreChange(submission_id=submission.id, kind="auto", old_score=old, new_score=submission.score,
                         actor_id=None, reason=reason, created_at=utcnow())
    db.add(change)
    db.flush()
    return change


def change_score(db: Session, submission: Submission, new_score: float | None, *, kind: str, actor: User | None,
                 reason: str, notify_student: bool = True) -> ScoreChange | None:
    """The one way a score changes after grading: sets the score (and the result JSON's score) and writes an
    audit row. Returns None when the score stays the same."""
    if kind not in SCORE_CHANGE_KINDS:
        raise ValueError(f"unknown score change kind {kind!r}")
    old = submission.score
    if old == new_score:
        return None
    submission.score = new_score
    if submission.result:
        submission.result = {**submission.result, "score": new_score}
    change = ScoreChange(submission_id=submission.id, kind=kind, old_score=old, new_score=new_score,
                         actor_id=actor.id if actor else None, reason=reason[:MAX_REASON], created_at=utcnow())
    db.add(change)
    db.flush()
    if notify_student and not is_held(db, submission.id):
        notify_score(db, submission, change)
    return change


SESSION_GAP = timedelta(minutes=30)


def notify_score(db: Session, submission: Submission, change: ScoreChange) -> None:
    """One notification per grading session: a grader's changes to one submission that follow each other
    within SESSION_GAP (a rubric click, then an override...) share one unread notification, which always
    shows the score before the session and the final one. A session that ends where it started leaves
    no notification behind."""
    from app.notifications.models import Notification

    recent = list(db.scalars(select(ScoreChange).where(ScoreChange.submission_id == submission.id,
                                                       ScoreChange.id <= change.id)
                             .order_by(ScoreChange.id.desc()).limit(50)))
    session = [recent[0]]
    for earlier in recent[1:]:
        if earlier.kind == "auto" or session[-1].created_at - earlier.created_at > SESSION_GAP:
            break
        session.append(earlier)
    start = session[-1]
    link = f"/submissions/{submission.id}"
    existing = db.scalar(select(Notification).where(
        Notification.user_id == submission.user_id, Notification.kind == "score_changed", Notification.link == link,
        Notification.read_at.is_(None), Notification.created_at >= start.created_at)
        .order_by(Notification.id.desc()).limit(1)) if len(session) > 1 else None
    if start.old_score == change.new_score:
        if existing is not None:
            db.delete(existing)
            db.flush()
        return
    kinds = ", ".join(dict.fromkeys(KIND_LABELS[c.kind].lower() for c in reversed(session)))
    title = f"Your score on {submission.lab_id.upper()} attempt {submission.attempt} changed"
    body = f"{_fmt(start.old_score)} → {_fmt(change.new_score)} ({kinds}): {change.reason[:300]}"
    if existing is not None:
        existing.title, existing.body = title[:200], body[:4000]
        db.flush()
    else:
        notify(db, submission.user_id, "score_changed", title, body, link)


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:g}"


def latest_change(db: Session, submission_id: int) -> ScoreChange | None:
    return db.scalar(select(ScoreChange).where(ScoreChange.submission_id == submission_id)
                     .order_by(ScoreChange.id.desc()).limit(1))


def human_score_stands(db: Session, submission_id: int) -> bool:
    """True when the latest score change was made by a person (override or rubric)."""
    change = latest_change(db, submission_id)
    return change is not None and change.kind in ("override", "rubric")


def audit_trail(db: Session, submission_id: int) -> list[tuple[ScoreChange, User | None]]:
    actor = aliased(User)
    return list(db.execute(select(ScoreChange, actor).outerjoin(actor, actor.id == ScoreChange.actor_id)
                           .where(ScoreChange.submission_id == submission_id).order_by(ScoreChange.id)).tuples())


def override(db: Session, submission: Submission, actor: User, score, reason: str) -> ScoreChange:
    if submission.status not in TERMINAL:
        raise conflict("This submission is still being graded; wait for its result before overriding.",
                       "not_graded")
    reason = _text(reason, "A reason for the override", MAX_REASON)
    new_score = parse_score(score, submission.max_score)
    change = change_score(db, submission, new_score, kind="override", actor=actor, reason=reason)
    if change is None:
        raise conflict(f"The score is already {new_score:g}; nothing changed.", "unchanged")
    return change


# ---------------------------------------------------------------- feedback holds and release

def lab_setting(db: Session, lab_id: str) -> LabReviewSetting | None:
    return db.get(LabReviewSetting, lab_id)


def lab_holds_feedback(db: Session, lab: Lab) -> bool:
    setting = lab_setting(db, lab.id)
    return setting.hold_feedback if setting is not None else bool((lab.manifest or {}).get("manual_review"))


def set_lab_hold(db: Session, lab: Lab, actor: User, hold: bool) -> LabReviewSetting:
    setting = lab_setting(db, lab.id)
    if setting is None:
        setting = LabReviewSetting(lab_id=lab.id)
        db.add(setting)
    setting.hold_feedback, setting.updated_at, setting.updated_by_id = hold, utcnow(), actor.id
    if not hold:
        setting.anonymous = False  # names come back when feedback is released; without a hold, at once
    db.flush()
    return setting


def lab_anonymous(db: Session, lab_id: str) -> bool:
    setting = lab_setting(db, lab_id)
    return bool(setting is not None and setting.anonymous)


def set_lab_anonymous(db: Session, lab: Lab, actor: User, anonymous: bool) -> LabReviewSetting:
    """Anonymous grading also holds new feedback: names come back when a grader releases it."""
    setting = lab_setting(db, lab.id)
    if setting is None:
        setting = LabReviewSetting(lab_id=lab.id, hold_feedback=lab_holds_feedback(db, lab))
        db.add(setting)
    setting.anonymous, setting.updated_at, setting.updated_by_id = anonymous, utcnow(), actor.id
    if anonymous:
        setting.hold_feedback = True
    db.flush()
    return setting


def pseudonym(lab_id: str, user_id: int) -> str:
    """A stable name per student and lab that reveals nothing (keyed with the server's secret)."""
    import hashlib
    import hmac

    from app.config import get_settings

    digest = hmac.new(get_settings().session_secret.encode(), f"{lab_id}:{user_id}".encode(), hashlib.sha256)
    return f"Student {digest.hexdigest()[:6].upper()}"


def names_hidden(db: Session, submission: Submission) -> bool:
    """True while the lab grades anonymously and this submission's feedback has not been released."""
    if not lab_anonymous(db, submission.lab_id):
        return False
    review = db.get(SubmissionReview, submission.id)
    return review is None or review.released_at is None or review.held


def student_label(submission: Submission, student: User) -> tuple[str, str]:
    """(name, email) as the grader pages show them: a pseudonym and no email in anonymous mode."""
    db = object_session(submission)
    if db is not None and names_hidden(db, submission):
        return pseudonym(submission.lab_id, student.id), ""
    return student.name, student.email


def is_held(db: Session, submission_id: int) -> bool:
    return bool(db.scalar(select(SubmissionReview.held).where(SubmissionReview.submission_id == submission_id)))


def submission_held(submission: Submission) -> bool:
    """For the student's views (result_json, templates): True while the feedback is held."""
    db = object_session(submission)
    if db is None or submission.id is None:
        return False
    return is_held(db, submission.id)


def _review_row(db: Session, submission_id: int) -> SubmissionReview:
    row = db.get(SubmissionReview, submission_id)
    if row is None:
        row = SubmissionReview(submission_id=submission_id, held=False, comment="", updated_at=utcnow())
        db.add(row)
    return row


def hold(db: Session, submission: Submission, actor: User | None) -> SubmissionReview:
    row = _review_row(db, submission.id)
    if row.held:
        raise conflict("Feedback on this submission is already held.", "already_held")
    row.held, row.held_at, row.updated_at = True, utcnow(), utcnow()
    row.updated_by_id = actor.id if actor else None
    db.flush()
    return row


def release(db: Session, submission: Submission, actor: User) -> SubmissionReview:
    row = db.get(SubmissionReview, submission.id)
    if row is None or not row.held:
        raise conflict("Feedback on this submission is not held; the student already sees it.", "not_held")
    _release(db, row, submission, actor)
    return row


def _release(db: Session, row: SubmissionReview, submission: Submission, actor: User) -> None:
    row.held, row.released_at, row.released_by_id = False, utcnow(), actor.id
    row.updated_at, row.updated_by_id = utcnow(), actor.id
    _resolve_items(db, submission.id, actor, "Feedback released.", reasons=("manual_review",))
    notify(db, submission.user_id, "feedback_released",
           f"New feedback on {submission.lab_id.upper()} attempt {submission.attempt}",
           f"Score {_fmt(submission.score)} / {submission.max_score:g}. Open the submission to read the feedback.",
           f"/submissions/{submission.id}")
    db.flush()


def release_lab(db: Session, lab: Lab, actor: User) -> int:
    rows = db.execute(select(SubmissionReview, Submission).join(Submission, Submission.id ==
                                                                SubmissionReview.submission_id)
                      .where(Submission.lab_id == lab.id, SubmissionReview.held.is_(True))).tuples().all()
    for row, submission in rows:
        _release(db, row, submission, actor)
    return len(rows)


def held_count(db: Session, lab_id: str) -> int:
    return db.scalar(select(func.count()).select_from(SubmissionReview)
                     .join(Submission, Submission.id == SubmissionReview.submission_id)
                     .where(Submission.lab_id == lab_id, SubmissionReview.held.is_(True))) or 0


def set_comment(db: Session, submission: Submission, actor: User, comment: str) -> SubmissionReview:
    text = _text(comment, "The comment", MAX_COMMENT, required=False)
    row = _review_row(db, submission.id)
    row.comment, row.updated_at, row.updated_by_id = text, utcnow(), actor.id
    db.flush()
    return row


# ---------------------------------------------------------------- the hook: a grade has landed

def on_graded(db: Session, submission: Submission) -> None:
    """Audit row, review-queue entries and the feedback hold for a freshly graded submission."""
    record_auto_grade(db, submission)
    lab = db.get(Lab, submission.lab_id)
    result = submission.result or {}
    if result.get("platform_error"):
        add_queue_item(db, submission, "platform_error", detail=str(result["platform_error"])[:1000])
    elif lab is not None and needs_manual_review(lab):
        _supersede_earlier(db, submission)
        add_queue_item(db, submission, "manual_review", detail=_manual_detail(lab))
    if lab is not None and lab_holds_feedback(db, lab) and not is_held(db, submission.id):
        hold(db, submission, None)


def on_submitted(db: Session, submission: Submission) -> None:
    """A lab graded by hand (`manual_review: true`, e.g. the capstone) enters the review queue as soon as it
    is submitted; its smoke test's result joins the same entry when it lands (on_graded finds it)."""
    lab = db.get(Lab, submission.lab_id)
    if lab is not None and (lab.manifest or {}).get("manual_review"):
        _supersede_earlier(db, submission)
        add_queue_item(db, submission, "manual_review", detail=_manual_detail(lab))


def _manual_detail(lab: Lab) -> str:
    checks = manual_checks(lab)
    return ("Checks marked manual: " + ", ".join(checks)) if checks else "The lab is graded by hand."


def _supersede_earlier(db: Session, submission: Submission) -> None:
    """A newer attempt replaces the student's earlier attempts in the manual-review queue."""
    earlier = select(Submission.id).where(Submission.user_id == submission.user_id,
                                          Submission.lab_id == submission.lab_id, Submission.id < submission.id)
    db.execute(update(ReviewItem).where(ReviewItem.submission_id.in_(earlier), ReviewItem.state == "open",
                                        ReviewItem.reason == "manual_review")
               .values(state="resolved", resolved_at=utcnow(),
                       resolution=f"Superseded by attempt {submission.attempt}."))


# ---------------------------------------------------------------- the review queue

def add_queue_item(db: Session, submission: Submission, reason: str, *, detail: str = "",
                   regrade_request_id: int | None = None, similarity_pair_id: int | None = None) -> ReviewItem:
    if reason not in QUEUE_REASONS:
        raise ValueError(f"unknown queue reason {reason!r}")
    def same(column, value):
        return column.is_(None) if value is None else column == value

    existing = db.scalar(select(ReviewItem).where(
        ReviewItem.submission_id == submission.id, ReviewItem.reason == reason, ReviewItem.state == "open",
        same(ReviewItem.regrade_request_id, regrade_request_id),
        same(ReviewItem.similarity_pair_id, similarity_pair_id)))
    if existing is not None:
        return existing
    item = ReviewItem(submission_id=submission.id, lab_id=submission.lab_id, reason=reason, state="open",
                      detail=detail[:2000], regrade_request_id=regrade_request_id,
                      similarity_pair_id=similarity_pair_id, created_at=utcnow())
    db.add(item)
    db.flush()
    return item


@dataclass
class QueueFilters:
    lab: str = ""
    cohort: int | None = None
    status: str = "open"  # open|resolved|all
    assignee: str = "any"  # any|me|unassigned|<user id>
    reason: str = ""

    @classmethod
    def parse(cls, lab: str = "", cohort: str = "", status: str = "open", assignee: str = "any",
              reason: str = "") -> "QueueFilters":
        if status not in ("open", "resolved", "all"):
            raise bad_request("status must be open, resolved or all.", "bad_filter")
        if reason and reason not in QUEUE_REASONS:
            raise bad_request(f"reason must be one of {', '.join(QUEUE_REASONS)}.", "bad_filter")
        if assignee not in ("any", "me", "unassigned") and parse_row_id(assignee) is None:
            raise bad_request("assignee must be any, me, unassigned or a user id.", "bad_filter")
        cohort = cohort.strip() if isinstance(cohort, str) else cohort
        if cohort and parse_row_id(cohort) is None:
            raise bad_request("cohort must be a cohort id.", "bad_filter")
        return cls(lab=(lab or "").strip()[:10], cohort=parse_row_id(cohort) if cohort else None, status=status,
                   assignee=assignee, reason=reason)

    def query_string(self) -> str:
        from urllib.parse import urlencode

        return urlencode({k: v for k, v in (("lab", self.lab), ("cohort", self.cohort or ""),
                                            ("status", self.status), ("assignee", self.assignee),
                                            ("reason", self.reason)) if v})


def _queue_query(filters: QueueFilters, me: User):
    student = aliased(User)
    assignee = aliased(User)
    query = (select(ReviewItem, Submission, student, assignee)
             .join(Submission, Submission.id == ReviewItem.submission_id)
             .join(student, student.id == Submission.user_id)
             .outerjoin(assignee, assignee.id == ReviewItem.assignee_id))
    if filters.status != "all":
        query = query.where(ReviewItem.state == filters.status)
    if filters.lab:
        query = query.where(ReviewItem.lab_id == filters.lab)
    if filters.reason:
        query = query.where(ReviewItem.reason == filters.reason)
    if filters.cohort:
        query = query.where(Submission.user_id.in_(select(Enrollment.user_id)
                                                   .where(Enrollment.cohort_id == filters.cohort)))
    if filters.assignee == "me":
        query = query.where(ReviewItem.assignee_id == me.id)
    elif filters.assignee == "unassigned":
        query = query.where(ReviewItem.assignee_id.is_(None))
    elif parse_row_id(filters.assignee) is not None:
        query = query.where(ReviewItem.assignee_id == parse_row_id(filters.assignee))
    # A stable order (oldest first, then id) so graders working down the queue don't collide.
    return query.order_by(ReviewItem.created_at, ReviewItem.id)


def list_queue(db: Session, filters: QueueFilters, me: User, limit: int = 200) -> list[tuple]:
    return list(db.execute(_queue_query(filters, me).limit(limit)).tuples())


def queue_counts(db: Session) -> dict[str, int]:
    rows = db.execute(select(ReviewItem.reason, func.count()).where(ReviewItem.state == "open")
                      .group_by(ReviewItem.reason)).all()
    return {reason: count for reason, count in rows}


def get_queue_item(db: Session, item_id: int) -> ReviewItem:
    item = db.get(ReviewItem, item_id)
    if item is None:
        raise not_found(f"Queue entry {item_id}")
    return item


def staff_users(db: Session) -> list[User]:
    return list(db.scalars(select(User).where(User.role.in_(("grader", "instructor", "admin")))
                           .order_by(User.name, User.id)))


def assign(db: Session, item_id: int, actor: User, assignee: str) -> ReviewItem:
    """assignee: "me", "" (unassign) or a staff user's id."""
    item = get_queue_item(db, item_id)
    if item.state != "open":
        raise conflict("This entry is already resolved.", "resolved")
    if assignee == "me":
        target = actor
    elif assignee in ("", "none"):
        target = None
    elif parse_row_id(assignee) is not None:
        target = db.get(User, parse_row_id(assignee))
        if target is None or not target.is_staff:
            raise bad_request("Assign entries to a grader, instructor or admin.", "bad_assignee")
    else:
        raise bad_request("Choose a grader to assign the entry to.", "bad_assignee")
    item.assignee_id = target.id if target else None
    item.assigned_at = utcnow() if target else None
    db.flush()
    return item


def claim_next(db: Session, actor: User, filters: QueueFilters) -> ReviewItem | None:
    """Assign the first unassigned open entry (stable order) to `actor` with a conditional update, so two
    graders pressing "next" at once get different entries."""
    base = QueueFilters(lab=filters.lab, cohort=filters.cohort, status="open", assignee="unassigned",
                        reason=filters.reason)
    for _ in range(20):
        row = db.execute(_queue_query(base, actor).limit(1)).first()
        if row is None:
            return None
        item = row[0]
        claimed = db.execute(update(ReviewItem).where(ReviewItem.id == item.id, ReviewItem.assignee_id.is_(None),
                                                      ReviewItem.state == "open")
                             .values(assignee_id=actor.id, assigned_at=utcnow())
                             .execution_options(synchronize_session=False)).rowcount
        if claimed == 1:
            db.refresh(item)
            return item
    return None


def resolve_item(db: Session, item_id: int, actor: User, resolution: str = "") -> ReviewItem:
    item = get_queue_item(db, item_id)
    if item.state != "open":
        raise conflict("This entry is already resolved.", "resolved")
    if item.reason == "regrade_request" and item.regrade_request_id:
        request = db.get(RegradeRequest, item.regrade_request_id)
        if request is not None and request.state == "open":
            raise conflict("Answer and resolve the regrade request itself; the entry closes with it.",
                           "open_request")
    text = _text(resolution, "The note", MAX_REASON, required=False)
    item.state, item.resolved_at, item.resolved_by_id = "resolved", utcnow(), actor.id
    item.resolution = text or "Resolved."
    db.flush()
    return item


def _resolve_items(db: Session, submission_id: int, actor: User | None, resolution: str,
                   reasons: tuple[str, ...] = QUEUE_REASONS, **match) -> int:
    conditions = [ReviewItem.submission_id == submission_id, ReviewItem.state == "open",
                  ReviewItem.reason.in_(reasons)]
    conditions += [getattr(ReviewItem, key) == value for key, value in match.items()]
    return db.execute(update(ReviewItem).where(and_(*conditions))
                      .values(state="resolved", resolved_at=utcnow(), resolved_by_id=actor.id if actor else None,
                              resolution=resolution)).rowcount


def queue_items_for(db: Session, submission_id: int) -> list[ReviewItem]:
    return list(db.scalars(select(ReviewItem).where(ReviewItem.submission_id == submission_id)
                           .order_by(ReviewItem.id)))


def neighbours(db: Session, submission: Submission) -> tuple[int | None, int | None]:
    """(previous, next) submission ids for the review page's shortcuts: through the lab's open queue
    entries in queue order, or through the lab's latest submissions when this one is not queued."""
    order = [row[0] for row in db.execute(
        select(ReviewItem.submission_id).where(ReviewItem.lab_id == submission.lab_id, ReviewItem.state == "open")
        .order_by(ReviewItem.created_at, ReviewItem.id))]
    ids = list(dict.fromkeys(order))
    if submission.id not in ids:
        latest = select(func.max(Submission.id)).where(Submission.lab_id == submission.lab_id).group_by(Submission.user_id)
        ids = sorted(set(db.scalars(latest)) | {submission.id})
    at = ids.index(submission.id)
    return (ids[at - 1] if at > 0 else None, ids[at + 1] if at + 1 < len(ids) else None)


@dataclass
class CheckGroup:
    """Latest submissions of a lab that fail exactly the same checks."""
    failing: tuple[str, ...]
    members: list[tuple[Submission, User]]

    @property
    def key(self) -> str:
        return ",".join(self.failing)


def failing_checks(submission: Submission) -> tuple[str, ...]:
    tests = (submission.result or {}).get("tests") or []
    return tuple(sorted(t["name"] for t in tests if not t.get("passed")))


def check_groups(db: Session, lab_id: str) -> list[CheckGroup]:
    """Every student's latest graded submission, grouped by the set of checks it fails (largest groups
    first), so one rubric decision can be applied to a whole group."""
    latest = select(func.max(Submission.id)).where(Submission.lab_id == lab_id).group_by(Submission.user_id)
    rows = db.execute(select(Submission, User).join(User, User.id == Submission.user_id)
                      .where(Submission.id.in_(latest), Submission.status.in_(TERMINAL))
                      .order_by(Submission.id)).tuples()
    groups: dict[tuple[str, ...], CheckGroup] = {}
    for submission, student in rows:
        key = failing_checks(submission)
        groups.setdefault(key, CheckGroup(key, [])).members.append((submission, student))
    return sorted(groups.values(), key=lambda g: (-len(g.members), g.failing))


def apply_rubric_to_group(db: Session, lab: Lab, actor: User, key: str, submission_ids: list[int],
                          selected: dict[int, str]) -> dict[str, int]:
    """One rubric decision for a group: the ticked items (with their default comments) on every listed
    submission that is still its student's latest and still fails exactly `key`'s checks."""
    wanted = tuple(sorted(filter(None, key.split(","))))
    current = {s.id: s for group in check_groups(db, lab.id) if group.failing == wanted for s, _ in group.members}
    outcome = {"applied": 0, "unchanged": 0, "skipped": 0}
    for submission_id in dict.fromkeys(submission_ids):
        submission = current.get(submission_id)
        if submission is None:
            outcome["skipped"] += 1
            continue
        change = apply_rubric(db, submission, actor, dict(selected))
        outcome["applied" if change is not None else "unchanged"] += 1
    return outcome


# ---------------------------------------------------------------- rubrics and reusable comments

def rubric_items(db: Session, lab_id: str) -> list[RubricItem]:
    return list(db.scalars(select(RubricItem).where(RubricItem.lab_id == lab_id, RubricItem.active.is_(True))
                           .order_by(RubricItem.position, RubricItem.id)))


def add_rubric_item(db: Session, lab: Lab, actor: User, title: str, points, comment: str = "") -> RubricItem:
    title = _text(title, "The rubric item's title", 200)
    try:
        value = float(str(points).strip().replace(",", "."))
    except (TypeError, ValueError):
        raise bad_request("Points must be a number; negative for a deduction, e.g. -1.", "bad_points") from None
    if not math.isfinite(value) or abs(value) > max(lab.max_score, 1.0) or value == 0:
        raise bad_request(f"Points must be non-zero and between -{max(lab.max_score, 1):g} and "
                          f"{max(lab.max_score, 1):g}.", "bad_points")
    comment = _text(comment, "The comment", MAX_COMMENT, required=False)
    position = (db.scalar(select(func.max(RubricItem.position)).where(RubricItem.lab_id == lab.id)) or 0) + 1
    item = RubricItem(lab_id=lab.id, position=position, title=title, points=round(value, 4), comment=comment,
                      active=True, created_by_id=actor.id, created_at=utcnow())
    db.add(item)
    db.flush()
    return item


def sync_manifest_rubric(db: Session, lab_id: str, rubric: list[dict]) -> int:
    """The rubric a lab's manifest declares (lab.yaml `rubric`), loaded by `content sync`: one item per line,
    kept in step by title (points, comment, order); lines dropped from the manifest are deactivated (marks
    already given keep pointing at them). Items from the manifest are the ones no grader created. Returns
    how many rows changed."""
    if not rubric:
        return 0
    existing = {item.title: item for item in db.scalars(
        select(RubricItem).where(RubricItem.lab_id == lab_id, RubricItem.created_by_id.is_(None)))}
    changed = 0
    for position, line in enumerate(rubric, start=1):
        values = {"position": position, "points": float(line["points"]), "comment": line.get("comment", ""),
                  "active": True}
        item = existing.pop(line["title"], None)
        if item is None:
            db.add(RubricItem(lab_id=lab_id, title=line["title"], created_by_id=None, created_at=utcnow(), **values))
            changed += 1
        elif any(getattr(item, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(item, key, value)
            changed += 1
    for item in existing.values():
        if item.active:
            item.active = False
            changed += 1
    db.flush()
    return changed


def remove_rubric_item(db: Session, lab: Lab, item_id: int) -> RubricItem:
    item = db.get(RubricItem, item_id)
    if item is None or item.lab_id != lab.id or not item.active:
        raise not_found(f"Rubric item {item_id}")
    item.active = False  # marks already given keep pointing at it
    db.flush()
    return item


def saved_comments(db: Session, lab_id: str) -> list[SavedComment]:
    return list(db.scalars(select(SavedComment).where(SavedComment.lab_id == lab_id).order_by(SavedComment.id)))


def add_saved_comment(db: Session, lab: Lab, actor: User, text: str) -> SavedComment:
    text = _text(text, "The comment", 1000)
    if db.scalar(select(SavedComment.id).where(SavedComment.lab_id == lab.id, SavedComment.text == text)):
        raise conflict("This comment is already in the lab's comment bank.", "duplicate_comment")
    comment = SavedComment(lab_id=lab.id, text=text, created_by_id=actor.id, created_at=utcnow())
    db.add(comment)
    db.flush()
    return comment


def remove_saved_comment(db: Session, lab: Lab, comment_id: int) -> None:
    comment = db.get(SavedComment, comment_id)
    if comment is None or comment.lab_id != lab.id:
        raise not_found(f"Comment {comment_id}")
    db.delete(comment)
    db.flush()


def rubric_marks(db: Session, submission_id: int) -> list[tuple[RubricMark, RubricItem]]:
    return list(db.execute(select(RubricMark, RubricItem).join(RubricItem, RubricItem.id == RubricMark.rubric_item_id)
                           .where(RubricMark.submission_id == submission_id)
                           .order_by(RubricItem.position, RubricItem.id)).tuples())


def rubric_score(base: float, items: list[RubricItem], max_score: float) -> float:
    return round(min(max(base + sum(i.points for i in items), 0.0), max_score), 4)


def apply_rubric(db: Session, submission: Submission, actor: User, selected: dict[int, str],
                 save_comments: bool = False) -> ScoreChange | None:
    """Replace the submission's rubric marks with `selected` ({item id: comment}) and set the score to the
    automatic score plus the items' points (clamped to 0..max), through the audit trail."""
    base = automatic_score(submission)
    if submission.status not in TERMINAL or base is None:
        raise conflict("This submission has no automatic result yet; wait for it before grading by rubric.",
                       "not_graded")
    available = {item.id: item for item in rubric_items(db, submission.lab_id)}
    unknown = [i for i in selected if i not in available]
    if unknown:
        raise bad_request(f"Rubric item {unknown[0]} is not part of this lab's rubric.", "bad_rubric_item")
    comments = {i: _text(c, "A rubric comment", MAX_COMMENT, required=False) for i, c in selected.items()}
    db.execute(delete(RubricMark).where(RubricMark.submission_id == submission.id))
    for item_id, comment in comments.items():
        db.add(RubricMark(submission_id=submission.id, rubric_item_id=item_id, comment=comment,
                          created_at=utcnow(), created_by_id=actor.id))
        if save_comments and comment and not db.scalar(select(SavedComment.id).where(
                SavedComment.lab_id == submission.lab_id, SavedComment.text == comment[:1000])):
            db.add(SavedComment(lab_id=submission.lab_id, text=comment[:1000], created_by_id=actor.id,
                                created_at=utcnow()))
    db.flush()
    chosen = [available[i] for i in comments]
    new_score = rubric_score(base, chosen, submission.max_score)
    parts = [f"{i.title} ({i.points:+g})" for i in chosen]
    reason = (f"Rubric on automatic score {base:g}: " + "; ".join(parts)) if parts else \
        f"Rubric cleared; automatic score {base:g}."
    return change_score(db, submission, new_score, kind="rubric", actor=actor, reason=reason)


# ---------------------------------------------------------------- regrade requests

def open_regrade_request(db: Session, student: User, submission_id: int, message: str) -> RegradeRequest:
    submission = db.get(Submission, submission_id)
    if submission is None or submission.user_id != student.id:
        raise not_found(f"Submission {submission_id}")
    if submission.status not in TERMINAL:
        raise conflict("This submission is still being graded; ask for a regrade once it has a result.",
                       "not_graded")
    if is_held(db, submission.id):
        raise conflict("Feedback on this submission has not been released yet.", "held")
    message = _text(message, "A message explaining what should be regraded", MAX_MESSAGE)
    if db.scalar(select(RegradeRequest.id).where(RegradeRequest.submission_id == submission.id,
                                                 RegradeRequest.state == "open")):
        raise conflict("You already have an open regrade request for this submission; add to its thread.",
                       "duplicate_request")
    request = RegradeRequest(submission_id=submission.id, student_id=student.id, state="open", created_at=utcnow())
    db.add(request)
    db.flush()
    db.add(RegradeMessage(request_id=request.id, author_id=student.id, body=message, created_at=utcnow()))
    add_queue_item(db, submission, "regrade_request", detail=message[:300], regrade_request_id=request.id)
    db.flush()
    return request


def get_regrade_request(db: Session, user: User, request_id: int) -> RegradeRequest:
    request = db.get(RegradeRequest, request_id)
    if request is None or (request.student_id != user.id and not user.is_staff):
        raise not_found(f"Regrade request {request_id}")
    return request


def add_regrade_message(db: Session, user: User, request_id: int, body: str) -> RegradeMessage:
    request = get_regrade_request(db, user, request_id)
    if request.state != "open":
        raise conflict("This regrade request is resolved. Open a new request if you still disagree.", "resolved")
    body = _text(body, "The message", MAX_MESSAGE)
    message = RegradeMessage(request_id=request.id, author_id=user.id, body=body, created_at=utcnow())
    db.add(message)
    db.flush()
    submission = db.get(Submission, request.submission_id)
    if user.id == request.student_id:
        for item in db.scalars(select(ReviewItem).where(ReviewItem.regrade_request_id == request.id,
                                                        ReviewItem.state == "open",
                                                        ReviewItem.assignee_id.is_not(None))):
            notify(db, item.assignee_id, "regrade_requested",
                   f"New message on the regrade request for {submission.lab_id.upper()}", body[:300],
                   f"/review/submissions/{submission.id}#regrade-{request.id}")
    else:
        notify(db, request.student_id, "regrade_answered",
               f"A grader answered your regrade request on {submission.lab_id.upper()}", body[:300],
               f"/submissions/{submission.id}#regrade-{request.id}")
    return message


def resolve_regrade_request(db: Session, actor: User, request_id: int, body: str = "") -> RegradeRequest:
    if not actor.is_staff:
        raise forbidden("Only graders resolve regrade requests.")
    request = get_regrade_request(db, actor, request_id)
    if request.state != "open":
        raise conflict("This regrade request is already resolved.", "resolved")
    body = _text(body, "The answer", MAX_MESSAGE, required=False)
    if body:
        db.add(RegradeMessage(request_id=request.id, author_id=actor.id, body=body, created_at=utcnow()))
    request.state, request.resolved_at, request.resolved_by_id = "resolved", utcnow(), actor.id
    _resolve_items(db, request.submission_id, actor, "Regrade request resolved.", reasons=("regrade_request",),
                   regrade_request_id=request.id)
    submission = db.get(Submission, request.submission_id)
    notify(db, request.student_id, "regrade_answered",
           f"Your regrade request on {submission.lab_id.upper()} was resolved",
           (body or "The grader resolved the request.")[:300] + f" Score: {_fmt(submission.score)}.",
           f"/submissions/{submission.id}#regrade-{request.id}")
    db.flush()
    return request


Thread = tuple[RegradeRequest, list[tuple[RegradeMessage, User | None]]]


def regrade_threads(db: Session, submission_id: int) -> list[Thread]:
    requests = list(db.scalars(select(RegradeRequest).where(RegradeRequest.submission_id == submission_id)
                               .order_by(RegradeRequest.id)))
    author = aliased(User)
    threads = []
    for request in requests:
        messages = list(db.execute(
            select(RegradeMessage, author).outerjoin(author, author.id == RegradeMessage.author_id)
            .where(RegradeMessage.request_id == request.id).order_by(RegradeMessage.id)).tuples())
        threads.append((request, messages))
    return threads


def can_request_regrade(db: Session, user: User, submission: Submission) -> bool:
    return (submission.user_id == user.id and submission.status in TERMINAL and not is_held(db, submission.id)
            and not db.scalar(select(RegradeRequest.id).where(RegradeRequest.submission_id == submission.id,
                                                              RegradeRequest.state == "open")))


# ---------------------------------------------------------------- what pages show

def previous_attempt(db: Session, submission: Submission) -> Submission | None:
    return db.scalar(select(Submission).where(Submission.user_id == submission.user_id,
                                              Submission.lab_id == submission.lab_id, Submission.id < submission.id)
                     .order_by(Submission.id.desc()).limit(1))


def student_panel(db: Session, viewer: User, submission: Submission) -> dict:
    """What the submission page shows around the result: feedback, score history, regrade threads."""
    held = is_held(db, submission.id)
    owner = viewer.id == submission.user_id
    review = db.get(SubmissionReview, submission.id)
    hide = held and not viewer.is_staff
    return {
        "held": held, "owner": owner, "is_staff": viewer.is_staff,
        "audit": [] if hide else audit_trail(db, submission.id),
        "marks": [] if hide else rubric_marks(db, submission.id),
        "comment": "" if hide or review is None else review.comment,
        "threads": regrade_threads(db, submission.id),
        "can_request": can_request_regrade(db, viewer, submission),
    }
