"""Pre-computed progress summaries (lab_progress, lab_check_failures, week_progress, student_progress).

They are kept current automatically: a session listener notes every student whose checklist ticks, lab
submissions or quiz attempts were flushed, and the students noted are refreshed just before the
transaction commits (so the summary commits with the change, or not at all). `refresh_pending(db)` does
the same on demand (the dashboard calls it so that it reads its own writes), and `mark_changed(db, user_id)`
is for code that changes progress with bulk SQL the listener cannot see.

A refresh costs a fixed number of statements per batch of students (not per student or per week): one
query per source table and one upsert per summary table."""
from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, case, delete, func, or_, select, tuple_
from sqlalchemy.orm import Session

from app.core.db import utcnow
from app.course.models import ChecklistItem, ChecklistProgress, Week
from app.dashboard import quizdata
from app.dashboard.models import LabCheckFailure, LabProgress, StudentProgress, WeekProgress
from app.labs.models import Lab, Submission

log = logging.getLogger(__name__)
WEEK_DONE = 0.8  # a week counts as done at 80% of its checklist, labs and quiz
PENDING_KEY = "dashboard_pending"
ALL_LABS = "*"
CHUNK = 400


@dataclass
class CourseShape:
    """The course's structure, loaded with four queries."""
    numbers: list[int]
    week_number: dict[str, int]
    items_total: dict[int, int]
    labs: dict[str, tuple[int, float]]  # gradeable lab id -> (week number, max score)
    labs_by_week: dict[int, list[str]] = field(default_factory=dict)
    quiz_weeks: set[int] = field(default_factory=set)

    @property
    def key(self) -> str:
        """Changes when the course changes in a way that changes progress (items, gradeable labs, quizzes):
        summaries computed under another key are recomputed (app.dashboard.service.ensure_summaries)."""
        text = repr((self.numbers, sorted(self.items_total.items()), sorted(self.labs.items()),
                     sorted(self.quiz_weeks)))
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def course_shape(db: Session) -> CourseShape:
    weeks = dict(db.execute(select(Week.id, Week.number).order_by(Week.number)).all())
    totals = {weeks[w]: n for w, n in db.execute(
        select(ChecklistItem.week_id, func.count()).where(ChecklistItem.active.is_(True))
        .group_by(ChecklistItem.week_id)) if w in weeks}
    labs, by_week = {}, defaultdict(list)
    for lab_id, week_id, max_score in db.execute(select(Lab.id, Lab.week_id, Lab.max_score)
                                                 .where(Lab.gradeable.is_(True)).order_by(Lab.position, Lab.id)):
        if week_id in weeks:
            labs[lab_id] = (weeks[week_id], max_score or 0.0)
            by_week[weeks[week_id]].append(lab_id)
    quiz_weeks = {weeks[w] for w in quizdata.quizzes_by_week(db) if w in weeks}
    return CourseShape(sorted(weeks.values()), weeks, totals, labs, dict(by_week), quiz_weeks)


def week_fraction(items_total: int, items_done: int, lab_fractions: Iterable[float], has_quiz: bool,
                  quiz_passed: bool) -> float:
    """The same measure as the student's own progress page (app.course.service.WeekProgress.fraction)."""
    lab_fractions = list(lab_fractions)
    units = items_total + len(lab_fractions) + (1 if has_quiz else 0)
    if not units:
        return 0.0
    return (items_done + sum(lab_fractions) + (1 if has_quiz and quiz_passed else 0)) / units


@dataclass
class LabSummary:
    attempts: int = 0
    best_score: float | None = None
    max_score: float = 0.0
    passed: bool = False
    attempts_to_pass: int | None = None
    first_at: datetime | None = None
    last_at: datetime | None = None
    first_pass_at: datetime | None = None
    stuck_check: str | None = None
    stuck_count: int = 0
    failures: dict[str, int] = field(default_factory=dict)


def summarise_lab(submissions: list[tuple], lab_max: float) -> LabSummary:
    """submissions: (status, score, max_score, created_at, tests) in the order they were made; tests is the
    result's list of checks.

    A lab is passed at full marks. `stuck_check` is the check with the longest run of failures in the latest
    graded submissions (a check that passed since is not stuck)."""
    out = LabSummary(max_score=lab_max)
    streak: dict[str, int] = {}
    for number, (status, score, max_score, created_at, tests) in enumerate(submissions, 1):
        out.attempts = number
        out.first_at = out.first_at or created_at
        out.last_at = created_at
        if status != "graded" or score is None:
            continue
        out.best_score = score if out.best_score is None else max(out.best_score, score)
        top = max_score or lab_max
        if not out.passed and top > 0 and score >= top - 1e-9:
            out.passed, out.attempts_to_pass, out.first_pass_at = True, number, created_at
        for test in tests if isinstance(tests, list) else []:
            name = str(test.get("name", ""))[:120]
            if not name:
                continue
            if test.get("passed"):
                streak[name] = 0
            else:
                streak[name] = streak.get(name, 0) + 1
                out.failures[name] = out.failures.get(name, 0) + 1
    if streak:
        name, count = max(sorted(streak.items()), key=lambda kv: kv[1])
        if count > 0:
            out.stuck_check, out.stuck_count = name, count
    return out


def _upsert(db: Session, model, rows: list[dict], keys: list[str]) -> None:
    """INSERT ... ON CONFLICT DO UPDATE, one executemany (SQLite and PostgreSQL)."""
    if not rows:
        return
    if db.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(model.__table__)
    columns = [c for c in rows[0] if c not in keys]
    stmt = stmt.on_conflict_do_update(index_elements=keys, set_={c: stmt.excluded[c] for c in columns}) \
        if columns else stmt.on_conflict_do_nothing(index_elements=keys)
    db.connection().execute(stmt, rows)


def _delete(db: Session, stmt) -> None:
    db.execute(stmt.execution_options(synchronize_session=False))


def refresh(db: Session, changes: dict[int, set[str]], shape: CourseShape | None = None,
            today: date | None = None) -> None:
    """Recompute the summaries of these students. changes: {user_id: lab ids to re-read (ALL_LABS = every
    lab; empty = none, e.g. only a checklist tick or a quiz attempt changed)}."""
    if not changes:
        return
    shape = shape or course_shape(db)
    users = sorted(changes)
    for start in range(0, len(users), CHUNK):
        chunk = users[start:start + CHUNK]
        _refresh_labs(db, {u: changes[u] for u in chunk if changes[u]}, shape)
        _refresh_weeks(db, chunk, shape, today)


def _refresh_labs(db: Session, changes: dict[int, set[str]], shape: CourseShape) -> None:
    if not changes:
        return
    everything = [u for u, labs in changes.items() if ALL_LABS in labs]
    pairs = [(u, lab) for u, labs in changes.items() if ALL_LABS not in labs for lab in labs]
    conditions = []
    if everything:
        conditions.append(Submission.user_id.in_(everything))
    if pairs:
        conditions.append(tuple_(Submission.user_id, Submission.lab_id).in_(pairs))
    # only the checks of each result (not its output tails): a student may have hundreds of submissions
    rows = db.execute(select(Submission.user_id, Submission.lab_id, Submission.status, Submission.score,
                             Submission.max_score, Submission.created_at, Submission.result["tests"])
                      .where(or_(*conditions)).order_by(Submission.user_id, Submission.id))
    grouped: dict[tuple[int, str], list[tuple]] = defaultdict(list)
    for user_id, lab_id, *rest in rows:
        grouped[(user_id, lab_id)].append(tuple(rest))
    targets = set(grouped) | set(pairs)
    progress, failures = [], []
    for user_id, lab_id in sorted(targets):
        if lab_id not in shape.labs and (user_id, lab_id) not in grouped:
            continue
        s = summarise_lab(grouped.get((user_id, lab_id), []), shape.labs.get(lab_id, (0, 0.0))[1])
        progress.append({"user_id": user_id, "lab_id": lab_id, "attempts": s.attempts, "best_score": s.best_score,
                         "max_score": s.max_score, "passed": s.passed, "attempts_to_pass": s.attempts_to_pass,
                         "first_at": s.first_at, "last_at": s.last_at, "first_pass_at": s.first_pass_at,
                         "seconds_to_pass": (s.first_pass_at - s.first_at).total_seconds()
                         if s.first_pass_at and s.first_at else None,
                         "stuck_check": s.stuck_check, "stuck_count": s.stuck_count})
        failures += [{"user_id": user_id, "lab_id": lab_id, "check_name": name, "failures": n}
                     for name, n in s.failures.items()]
    if everything:
        _delete(db, delete(LabCheckFailure).where(LabCheckFailure.user_id.in_(everything)))
        _delete(db, delete(LabProgress).where(LabProgress.user_id.in_(everything)))
    if pairs:
        _delete(db, delete(LabCheckFailure).where(tuple_(LabCheckFailure.user_id, LabCheckFailure.lab_id).in_(pairs)))
    _upsert(db, LabProgress, [p for p in progress if p["attempts"]], ["user_id", "lab_id"])
    empty = [(p["user_id"], p["lab_id"]) for p in progress if not p["attempts"]]
    if empty:
        _delete(db, delete(LabProgress).where(tuple_(LabProgress.user_id, LabProgress.lab_id).in_(empty)))
    _upsert(db, LabCheckFailure, failures, ["user_id", "lab_id", "check_name"])


def _refresh_weeks(db: Session, users: list[int], shape: CourseShape, today: date | None) -> None:
    today = today or utcnow().date()
    labs = defaultdict(dict)
    for row in db.execute(select(LabProgress.user_id, LabProgress.lab_id, LabProgress.attempts,
                                 LabProgress.best_score, LabProgress.last_at, LabProgress.passed,
                                 LabProgress.stuck_check, LabProgress.stuck_count)
                          .where(LabProgress.user_id.in_(users))):
        labs[row.user_id][row.lab_id] = row
    ticks = defaultdict(dict)
    for user_id, week_id, done, last in db.execute(
            select(ChecklistProgress.user_id, ChecklistItem.week_id,
                   func.sum(case((and_(ChecklistProgress.done.is_(True), ChecklistItem.active.is_(True)), 1),
                                 else_=0)),
                   func.max(ChecklistProgress.updated_at))
            .join(ChecklistItem, ChecklistItem.id == ChecklistProgress.item_id)
            .where(ChecklistProgress.user_id.in_(users)).group_by(ChecklistProgress.user_id, ChecklistItem.week_id)):
        if week_id in shape.week_number:
            ticks[user_id][shape.week_number[week_id]] = (int(done or 0), last)
    quizzes = quizdata.student_quiz_stats(db, users)
    previous = {(u, w): d for u, w, d in db.execute(select(WeekProgress.user_id, WeekProgress.week_number,
                                                           WeekProgress.done_on)
                                                    .where(WeekProgress.user_id.in_(users)))}
    now = utcnow()
    week_rows, student_rows = [], []
    for user_id in users:
        user_quiz = {shape.week_number[w]: q for w, q in quizzes.get(user_id, {}).items() if w in shape.week_number}
        total_fraction, weeks_done, items, last_activity, done_dates = 0.0, 0, 0, None, []
        quiz_attempts, quiz_fail = 0, (None, 0)
        for number in shape.numbers:
            done, tick_at = ticks[user_id].get(number, (0, None))
            lab_rows = [labs[user_id].get(lab_id) for lab_id in shape.labs_by_week.get(number, [])]
            lab_max = sum(shape.labs[lab_id][1] for lab_id in shape.labs_by_week.get(number, []))
            lab_fracs = [(r.best_score or 0.0) / shape.labs[r.lab_id][1]
                         if r is not None and shape.labs[r.lab_id][1] else 0.0 for r in lab_rows]
            q = user_quiz.get(number)
            has_quiz = number in shape.quiz_weeks or q is not None
            fraction = week_fraction(shape.items_total.get(number, 0), done, lab_fracs, has_quiz,
                                     bool(q and q.passed))
            work_times = [r.last_at for r in lab_rows if r is not None and r.last_at] + \
                ([q.last_at] if q and q.last_at else [])
            last_work = max(work_times, default=None)
            last_any = max([t for t in (last_work, tick_at) if t], default=None)
            done_on = None
            if fraction >= WEEK_DONE - 1e-9:
                weeks_done += 1
                done_on = previous.get((user_id, number)) or min((last_any or now).date(), today)
                done_dates.append(done_on.isoformat())
            total_fraction += fraction
            items += done
            last_activity = max([t for t in (last_activity, last_any) if t], default=None)
            if q is not None:
                quiz_attempts += q.attempts
                if not q.passed and q.failed > quiz_fail[1]:
                    quiz_fail = (number, q.failed)
            week_rows.append({
                "user_id": user_id, "week_number": number, "items_done": done,
                "items_total": shape.items_total.get(number, 0),
                "lab_score": sum((r.best_score or 0.0) for r in lab_rows if r is not None), "lab_max": lab_max,
                "labs_done": sum(lab_fracs), "labs_total": len(lab_rows),
                "quiz_score": q.score if q else None, "quiz_max": q.max_score if q else 0.0,
                "quiz_passed": bool(q and q.passed), "quiz_attempts": q.attempts if q else 0,
                "has_quiz": has_quiz, "fraction": round(fraction, 6), "last_work_at": last_work,
                "done_on": done_on, "updated_at": now})
        stuck = max((r for r in labs[user_id].values() if not r.passed and r.stuck_count),
                    key=lambda r: (r.stuck_count, r.lab_id), default=None)
        student_rows.append({
            "user_id": user_id, "overall": round(total_fraction / len(shape.numbers), 6) if shape.numbers else 0.0,
            "weeks_done": weeks_done, "items_done": items,
            "lab_attempts": sum(r.attempts for r in labs[user_id].values()), "quiz_attempts": quiz_attempts,
            "last_activity_at": last_activity, "stuck_lab": stuck.lab_id if stuck else None,
            "stuck_check": stuck.stuck_check if stuck else None, "stuck_count": stuck.stuck_count if stuck else 0,
            "quiz_fail_week": quiz_fail[0], "quiz_fail_count": quiz_fail[1], "done_dates": sorted(done_dates),
            "shape_key": shape.key, "updated_at": now})
    stale = [n for n in {w for _, w in previous} if n not in shape.numbers]
    if stale:
        _delete(db, delete(WeekProgress).where(WeekProgress.user_id.in_(users), WeekProgress.week_number.in_(stale)))
    _upsert(db, WeekProgress, week_rows, ["user_id", "week_number"])
    _upsert(db, StudentProgress, student_rows, ["user_id"])


# --- keeping it current -------------------------------------------------------------------------------

def mark_changed(db: Session, user_id: int, lab_id: str | None = None) -> None:
    """Note that a student's progress changed (refreshed before commit). lab_id: a lab to re-read; None for
    checklist or quiz changes; ALL_LABS to re-read every lab."""
    labs = db.info.setdefault(PENDING_KEY, {}).setdefault(user_id, set())
    if lab_id:
        labs.add(lab_id)


def refresh_pending(db: Session) -> None:
    pending = db.info.pop(PENDING_KEY, None)
    if pending:
        refresh(db, pending)


def refresh_user(db: Session, user_id: int) -> None:
    """Recompute everything of one student now (e.g. after a bulk change, or from the quiz service)."""
    refresh(db, {user_id: {ALL_LABS}})


def missing_users(db: Session, user_ids_query) -> list[int]:
    return list(db.scalars(select(user_ids_query.c.user_id).outerjoin(
        StudentProgress, StudentProgress.user_id == user_ids_query.c.user_id)
        .where(StudentProgress.user_id.is_(None))))


def _note_changes(session: Session, _context) -> None:
    tracked_quiz = quizdata.tracked_classes()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, ChecklistProgress):
            mark_changed(session, obj.user_id)
        elif isinstance(obj, Submission):
            mark_changed(session, obj.user_id, obj.lab_id)
        elif tracked_quiz and isinstance(obj, tracked_quiz):
            user_id = getattr(obj, "user_id", None)
            if user_id is not None:
                mark_changed(session, user_id)


def _refresh_before_commit(session: Session) -> None:
    """Refresh inside a savepoint: a failure here is logged and never costs the student their progress (the
    summary is then recomputed at the student's next change)."""
    if not session.info.get(PENDING_KEY):
        return
    session.flush()
    try:
        with session.begin_nested():
            refresh_pending(session)
    except Exception:  # noqa: BLE001 - the progress itself must still commit
        log.exception("could not refresh the dashboard summaries; they catch up at the next change")
        session.info.pop(PENDING_KEY, None)


def _drop_pending(session: Session) -> None:
    if not session.in_transaction():
        session.info.pop(PENDING_KEY, None)


SESSION_EVENTS = (("after_flush", _note_changes), ("before_commit", _refresh_before_commit),
                  ("after_rollback", _drop_pending))
