"""Course pages and progress: bounded queries whatever the course size."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.cohorts.service import is_enrolled
from app.core.db import utcnow
from app.core.errors import AppError, not_found
from app.course.models import ChecklistItem, ChecklistProgress, Module, Week
from app.labs.models import Lab, Submission
from app.quizzes.progress import quiz_progress
from app.users.models import User


@dataclass
class WeekProgress:
    week: Week
    items_total: int = 0
    items_done: int = 0
    labs: list[dict] = field(default_factory=list)
    quiz: dict | None = None

    @property
    def fraction(self) -> float:
        units = self.items_total + len([lab for lab in self.labs if lab["gradeable"]]) + (1 if self.quiz else 0)
        if not units:
            return 0.0
        earned = self.items_done + sum(lab["fraction"] for lab in self.labs if lab["gradeable"])
        earned += 1 if self.quiz and self.quiz.get("passed") else 0
        return earned / units


def best_scores(db: Session, user_id: int) -> dict[str, float]:
    """Best released score per lab (a score whose feedback a grader holds does not count yet)."""
    from app.review.models import SubmissionReview

    held = select(SubmissionReview.submission_id).where(SubmissionReview.held.is_(True))
    rows = db.execute(select(Submission.lab_id, func.max(Submission.score)).where(
        Submission.user_id == user_id, Submission.status == "graded", Submission.id.not_in(held))
        .group_by(Submission.lab_id))
    return {lab_id: score for lab_id, score in rows if score is not None}


def course_progress(db: Session, user: User) -> list[WeekProgress]:
    weeks = list(db.scalars(select(Week).order_by(Week.number)))
    totals = dict(db.execute(select(ChecklistItem.week_id, func.count()).where(ChecklistItem.active.is_(True))
                             .group_by(ChecklistItem.week_id)).all())
    done = dict(db.execute(
        select(ChecklistItem.week_id, func.count()).join(ChecklistProgress, ChecklistProgress.item_id == ChecklistItem.id)
        .where(ChecklistProgress.user_id == user.id, ChecklistProgress.done.is_(True), ChecklistItem.active.is_(True))
        .group_by(ChecklistItem.week_id)).all())
    bests = best_scores(db, user.id)
    labs_by_week: dict[str, list[dict]] = {}
    for lab in db.scalars(select(Lab).order_by(Lab.week_id, Lab.position)):
        best = bests.get(lab.id)
        labs_by_week.setdefault(lab.week_id, []).append({
            "id": lab.id, "title": lab.title, "gradeable": lab.gradeable, "best": best, "max_score": lab.max_score,
            "fraction": (best / lab.max_score) if best is not None and lab.max_score else 0.0})
    quizzes = quiz_progress(db, user.id)
    return [WeekProgress(w, totals.get(w.id, 0), done.get(w.id, 0), labs_by_week.get(w.id, []), quizzes.get(w.id))
            for w in weeks]


def overall(progress: list[WeekProgress]) -> float:
    return sum(p.fraction for p in progress) / len(progress) if progress else 0.0


def continue_week(db: Session, user: User, progress: list[WeekProgress]) -> Week | None:
    """The week of the latest activity, or else the first week not finished."""
    last_item = db.execute(select(ChecklistItem.week_id, ChecklistProgress.updated_at)
                           .join(ChecklistProgress, ChecklistProgress.item_id == ChecklistItem.id)
                           .where(ChecklistProgress.user_id == user.id)
                           .order_by(ChecklistProgress.updated_at.desc()).limit(1)).first()
    last_sub = db.execute(select(Lab.week_id, Submission.created_at).join(Lab, Lab.id == Submission.lab_id)
                          .where(Submission.user_id == user.id).order_by(Submission.created_at.desc()).limit(1)).first()
    latest = max([r for r in (last_item, last_sub) if r], key=lambda r: r[1], default=None)
    by_id = {p.week.id: p for p in progress}
    if latest and latest[0] in by_id:
        current = by_id[latest[0]]
        if current.fraction < 1.0:
            return current.week
    return next((p.week for p in progress if p.fraction < 1.0), progress[0].week if progress else None)


def modules(db: Session) -> list[Module]:
    return list(db.scalars(select(Module).order_by(Module.number)))


def get_week(db: Session, number: int) -> Week:
    week = db.scalar(select(Week).where(Week.number == number))
    if week is None:
        raise not_found(f"Week {number}")
    return week


def week_items(db: Session, week: Week, user: User) -> list[dict]:
    """The week's active checklist as a tree with the user's ticks."""
    items = list(db.scalars(select(ChecklistItem).where(ChecklistItem.week_id == week.id,
                                                        ChecklistItem.active.is_(True))
                            .order_by(ChecklistItem.position)))
    done = set(db.scalars(select(ChecklistProgress.item_id).where(
        ChecklistProgress.user_id == user.id, ChecklistProgress.done.is_(True),
        ChecklistProgress.item_id.in_([i.id for i in items]))))
    nodes = {i.id: {"item": i, "done": i.id in done, "children": []} for i in items}
    roots = []
    for item in items:
        node = nodes[item.id]
        (nodes[item.parent_id]["children"] if item.parent_id in nodes else roots).append(node)
    return roots


def set_item(db: Session, user: User, item_id: str, done: bool) -> ChecklistItem:
    item = db.get(ChecklistItem, item_id)
    if item is None or not item.active:
        raise not_found("That checklist item")
    if not user.is_staff and not is_enrolled(db, user):
        raise AppError(403, "Join a cohort with an invite code to track your progress.", "not_enrolled")
    row = db.get(ChecklistProgress, (user.id, item_id))
    if row is None:
        db.add(ChecklistProgress(user_id=user.id, item_id=item_id, done=done, updated_at=utcnow()))
    else:
        row.done = done
        row.updated_at = utcnow()
    user.last_active_at = utcnow()
    db.flush()
    return item


def week_labs(db: Session, week: Week) -> list[Lab]:
    return list(db.scalars(select(Lab).where(Lab.week_id == week.id).order_by(Lab.position)))
