"""The instructor dashboard: cohort access, the students x weeks heatmap, cohort numbers, at-risk students,
student drill-down, lab and quiz statistics. Every function runs a fixed number of queries whatever the
cohort size: it reads the pre-computed summaries (app.dashboard.summary) and aggregates."""
from __future__ import annotations

import logging
import math
from collections import defaultdict
from time import monotonic
from dataclasses import dataclass, field
from typing import NamedTuple
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import and_, case, false, func, literal, or_, select, true
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.cohorts.models import Cohort, Enrollment
from app.core.db import session_scope, utcnow
from app.core.errors import AppError, bad_request, not_found
from app.core.tasks import DASHBOARD_REFRESH, enqueue
from app.course.models import ChecklistItem, ChecklistProgress, Week
from app.dashboard import analytics, pacing, quizdata, summary
from app.dashboard.models import LabCheckFailure, LabProgress, StudentProgress, WeekProgress
from app.labs.models import Lab, Submission
from app.users.models import Role, User

log = logging.getLogger(__name__)
PAGE_SIZES = (25, 50, 100)
SORTS = {"progress": "Progress (high first)", "-progress": "Progress (low first)",
         "activity": "Last activity (recent first)", "-activity": "Last activity (oldest first)",
         "behind": "Weeks behind (most first)", "name": "Name"}
STATUSES = {"all": "All students", "at_risk": "At risk", "behind": "Behind pace", "on_pace": "On pace",
            "finished": "Finished", "inactive": "Inactive this week"}


# --- access ---------------------------------------------------------------------------------------------

def can_see_all(user: User) -> bool:
    return user.has_role(Role.admin)


def instructor_cohorts(db: Session, user: User) -> list[Cohort]:
    query = select(Cohort).order_by(Cohort.start_date.desc(), Cohort.id.desc())
    if not can_see_all(user):
        query = query.where(Cohort.created_by_id == user.id)
    return list(db.scalars(query))


def get_cohort(db: Session, user: User, cohort_id: int) -> Cohort:
    cohort = db.get(Cohort, cohort_id)
    if cohort is None:
        raise not_found(f"Cohort {cohort_id}")
    if not can_see_all(user) and cohort.created_by_id != user.id:
        raise AppError(403, "This cohort belongs to another instructor.", "forbidden")
    return cohort


def parse_cohort_id(raw: str | None) -> int | None:
    if raw in (None, ""):
        return None
    try:
        value = int(raw)
    except ValueError:
        raise bad_request("The cohort must be given by its number, e.g. ?cohort=3.", "bad_cohort") from None
    if value < 1:
        raise bad_request("The cohort must be given by its number, e.g. ?cohort=3.", "bad_cohort")
    return value


def resolve_cohort(db: Session, user: User, raw: str | None) -> tuple[Cohort | None, list[Cohort]]:
    """The cohort asked for (checked), or else the instructor's most recent one."""
    cohorts = instructor_cohorts(db, user)
    cohort_id = parse_cohort_id(raw)
    if cohort_id is not None:
        return get_cohort(db, user, cohort_id), cohorts
    return (cohorts[0] if cohorts else None), cohorts


# --- roster: what the dashboard counts, filters, sorts and shows, as SQL over the summaries ---------------

@dataclass
class StudentRow:
    user_id: int
    name: str
    email: str
    joined_at: datetime
    overall: float
    weeks_done: int
    items_done: int
    lab_attempts: int
    quiz_attempts: int
    last_activity: datetime | None
    expected: int
    reasons: list[analytics.Risk] = field(default_factory=list)
    cells: dict[int, "Cell"] = field(default_factory=dict)  # week number -> heatmap cell


SP = StudentProgress
_ROW_COLUMNS = (User.id, User.name, User.email, Enrollment.created_at, SP.overall, SP.weeks_done, SP.items_done,
                SP.lab_attempts, SP.quiz_attempts, SP.last_activity_at, SP.stuck_lab, SP.stuck_check,
                SP.stuck_count, SP.quiz_fail_week, SP.quiz_fail_count)


class CohortSQL:
    """The cohort's students joined with their summaries, and the SQL expressions for pace and at-risk
    reasons at one moment. `analytics.risk_reasons` words the same rules for the rows shown."""

    def __init__(self, cohort: Cohort, sched: pacing.Schedule, total_weeks: int, now: datetime) -> None:
        self.cohort, self.sched, self.total_weeks, self.now = cohort, sched, total_weeks, now
        settings = sched.settings
        cohort_expected = sched.expected_weeks(None, now)
        special = {uid: sched.expected_weeks(uid, now) for uid in sched.extensions}
        special = {uid: e for uid, e in special.items() if e != cohort_expected}
        self.expected = case(special, value=User.id, else_=cohort_expected) if special else literal(cohort_expected)
        self.done = func.coalesce(SP.weeks_done, 0)
        self.overall = func.coalesce(SP.overall, 0.0)
        start = datetime.combine(cohort.start_date, time.min, tzinfo=timezone.utc)
        cutoff = now - timedelta(days=settings["inactive_days"])
        self.flags = {
            "inactive": (and_(Enrollment.created_at <= cutoff, or_(SP.last_activity_at.is_(None),
                                                                   SP.last_activity_at <= cutoff))
                         if start <= cutoff else false()),
            "behind": (self.expected - self.done) >= settings["behind_weeks"],
            "stuck": and_(SP.stuck_lab.is_not(None), SP.stuck_check.is_not(None),
                          SP.stuck_count >= settings["check_failures"]),
            "quiz": and_(SP.quiz_fail_week.is_not(None), SP.quiz_fail_count >= settings["quiz_failures"]),
        }
        self.reason_count = sum((case((flag, 1), else_=0) for flag in self.flags.values()), literal(0))
        self.at_risk = or_(*self.flags.values())
        self.week_ago = now - timedelta(days=7)

    def select(self, *columns):
        return (select(*columns).select_from(User)
                .join(Enrollment, and_(Enrollment.user_id == User.id, Enrollment.cohort_id == self.cohort.id))
                .outerjoin(SP, SP.user_id == User.id).where(User.role == Role.student.name))

    def status(self, status: str):
        return {"all": true(), "at_risk": self.at_risk, "behind": self.done < self.expected,
                "on_pace": self.done >= self.expected, "finished": self.done >= self.total_weeks,
                "inactive": or_(SP.last_activity_at.is_(None), SP.last_activity_at < self.week_ago)}[status]

    def order(self, sort: str) -> list:
        name = func.lower(User.name)
        return {
            "progress": [self.overall.desc(), name, User.id],
            "-progress": [self.overall.asc(), name, User.id],
            "activity": [SP.last_activity_at.desc().nulls_last(), name, User.id],
            "-activity": [SP.last_activity_at.asc().nulls_first(), name, User.id],
            "behind": [(self.expected - self.done).desc(), self.overall.asc(), name, User.id],
            "name": [name, User.email, User.id],
        }[sort]

    def student(self, r) -> StudentRow:
        start = datetime.combine(self.cohort.start_date, time.min, tzinfo=timezone.utc)
        expected = self.sched.expected_weeks(r.id, self.now)
        row = StudentRow(r.id, r.name, r.email, r.created_at, r.overall or 0.0, r.weeks_done or 0,
                         r.items_done or 0, r.lab_attempts or 0, r.quiz_attempts or 0, r.last_activity_at, expected)
        row.reasons = analytics.risk_reasons(
            now=self.now, settings=self.sched.settings, last_activity=r.last_activity_at,
            active_since=max(r.created_at, start), expected_weeks=expected, weeks_done=row.weeks_done,
            stuck_lab=r.stuck_lab, stuck_check=r.stuck_check, stuck_count=r.stuck_count or 0,
            quiz_fail_week=r.quiz_fail_week, quiz_fail_count=r.quiz_fail_count or 0)
        return row


INLINE_REFRESH = 300        # more stale summaries than this are recomputed in the background
_refresh_sent: dict[int, float] = {}


def stale_students(db: Session, cohort: Cohort, shape: summary.CourseShape) -> list[int]:
    """Students with no summary yet (joined before any progress, data from before the dashboard existed) or one
    computed for another shape of the course (a lab became gradeable, items or quizzes changed)."""
    return list(db.scalars(select(Enrollment.user_id).outerjoin(SP, SP.user_id == Enrollment.user_id)
                           .where(Enrollment.cohort_id == cohort.id,
                                  or_(SP.user_id.is_(None), SP.shape_key != shape.key))))


def ensure_summaries(db: Session, cohort: Cohort, shape: summary.CourseShape | None = None,
                     inline_max: int | None = None) -> int:
    """Recompute stale summaries: now when there are few, else in the background (task sent after commit).
    One query when there is nothing to do. Returns how many are left to the background task."""
    shape = shape or summary.course_shape(db)
    stale = stale_students(db, cohort, shape)
    if not stale:
        return 0
    if len(stale) <= (INLINE_REFRESH if inline_max is None else inline_max):
        try:
            with db.begin_nested():  # a page view may be a read transaction that cannot write just now
                summary.refresh(db, {user_id: {summary.ALL_LABS} for user_id in stale}, shape)
            return 0
        except OperationalError:
            log.warning("summaries of cohort %s not refreshed inline (database busy); queued", cohort.id)
    if monotonic() - _refresh_sent.get(cohort.id, -1e9) > 600:
        _refresh_sent[cohort.id] = monotonic()
        enqueue(db, DASHBOARD_REFRESH, cohort.id)
    return len(stale)


def refresh_cohort(cohort_id: int, chunk: int = 200) -> int:
    """The background task's body: recompute a cohort's stale summaries, committing every `chunk` students so
    that no write lock is held for long. Idempotent."""
    with session_scope() as db:
        cohort = db.get(Cohort, cohort_id)
        if cohort is None:
            return 0
        stale = stale_students(db, cohort, summary.course_shape(db))
    for start in range(0, len(stale), chunk):
        with session_scope() as db:
            summary.refresh(db, {user_id: {summary.ALL_LABS} for user_id in stale[start:start + chunk]})
    return len(stale)


def cohort_numbers(db: Session, sql: CohortSQL) -> tuple[dict, list[int]]:
    """The cohort-wide numbers (one aggregate query) and the progress histogram in 10 bins (one GROUP BY)."""
    def count(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    row = db.execute(sql.select(
        func.count(), count(SP.last_activity_at >= sql.week_ago), count(sql.done >= sql.expected),
        count(sql.done < sql.expected), count(sql.done >= sql.total_weeks) if sql.total_weeks else literal(0),
        count(sql.at_risk), func.avg(sql.overall))).one()
    n = row[0] or 0
    numbers = {"students": n, "active": int(row[1]), "on_pace": int(row[2]), "behind": int(row[3]),
               "finished": int(row[4]), "at_risk": int(row[5]), "average": float(row[6] or 0.0) if n else 0.0}
    histogram = [0] * 10
    if n:  # the same bins as analytics.histogram: [0, 0.1), [0.1, 0.2), ..., [0.9, 1]
        bucket = case(*[(sql.overall >= (i - 1e-9) / 10, i) for i in range(9, 0, -1)], else_=0)
        for index, count_ in db.execute(sql.select(bucket, func.count()).group_by(bucket)):
            histogram[int(index)] = int(count_)
    return numbers, histogram


def at_risk_students(db: Session, sql: CohortSQL, limit: int | None = 50) -> list[StudentRow]:
    """The at-risk students, most urgent first (most reasons, furthest behind, least progress)."""
    query = sql.select(*_ROW_COLUMNS).where(sql.at_risk).order_by(
        sql.reason_count.desc(), (sql.expected - sql.done).desc(), sql.overall.asc(), func.lower(User.name), User.id)
    if limit is not None:
        query = query.limit(limit)
    return [sql.student(r) for r in db.execute(query)]


def progress_chart(db: Session, sql: CohortSQL, students: int) -> dict:
    """Average weeks done per student at each due date so far, against the number of weeks due. One query:
    weeks done per day (a GROUP BY over a covering index), summed up to each due date here."""
    today = sql.now.date()
    points = []
    for week, due in sorted(sql.sched.due.items()):
        points.append((week, min(due, today)))
        if due >= today:
            break
    if not points:
        return {"labels": [], "actual": [], "expected": []}
    per_day = sorted((d if isinstance(d, date) else date.fromisoformat(str(d)), int(n)) for d, n in db.execute(
        sql.select(WeekProgress.done_on, func.count()).join(WeekProgress, WeekProgress.user_id == User.id)
        .where(WeekProgress.done_on.is_not(None)).group_by(WeekProgress.done_on)))
    actual, cumulative, index = [], 0, 0
    for _, point in points:
        while index < len(per_day) and per_day[index][0] <= point:
            cumulative += per_day[index][1]
            index += 1
        actual.append(round(cumulative / students, 2) if students else 0)
    return {"labels": [f"Week {week}" for week, _ in points], "actual": actual,
            "expected": [sum(1 for d in sql.sched.due.values() if d <= point) for _, point in points]}


@dataclass
class Query:
    q: str = ""
    sort: str = "progress"
    status: str = "all"
    page: int = 1
    per_page: int = 50

    @classmethod
    def parse(cls, q: str | None, sort: str | None, status: str | None, page: str | None,
              per_page: str | None) -> "Query":
        sort = sort or "progress"
        status = status or "all"
        if sort not in SORTS:
            raise bad_request(f"Sort by one of: {', '.join(SORTS)}.", "bad_sort")
        if status not in STATUSES:
            raise bad_request(f"Filter by one of: {', '.join(STATUSES)}.", "bad_status")
        try:
            page_n = int(page or 1)
            size = int(per_page or 50)
        except ValueError:
            raise bad_request("The page and page size must be whole numbers.", "bad_page") from None
        if not 1 <= page_n <= 100_000:
            raise bad_request("Pages start at 1.", "bad_page")
        if size not in PAGE_SIZES:
            raise bad_request(f"Show {', '.join(map(str, PAGE_SIZES))} students per page.", "bad_page")
        q = (q or "").strip()
        if len(q) > 120:
            raise bad_request("The search is too long (120 characters at most).", "bad_search")
        return cls(q, sort, status, page_n, size)

    def params(self, **changes) -> dict:
        values = {"q": self.q, "sort": self.sort, "status": self.status, "page": self.page,
                  "per_page": self.per_page, **changes}
        return {k: v for k, v in values.items() if v not in ("", None)}


def students_page(db: Session, sql: CohortSQL, query: Query, numbers: dict) -> tuple[list[StudentRow], int]:
    """One page of students matching the filter and search, and how many match (one query: without a search
    the count is one of the cohort numbers; with one, a window count comes with the page)."""
    condition = sql.status(query.status)
    columns = list(_ROW_COLUMNS)
    if query.q:
        needle = query.q.lower()
        condition = and_(condition, or_(func.lower(User.name).contains(needle, autoescape=True),
                                        func.lower(User.email).contains(needle, autoescape=True)))
        columns.append(func.count().over().label("matching"))
    rows = db.execute(sql.select(*columns).where(condition).order_by(*sql.order(query.sort))
                      .limit(query.per_page).offset((query.page - 1) * query.per_page)).all()
    if not query.q:
        matching = {"all": numbers["students"], "at_risk": numbers["at_risk"], "behind": numbers["behind"],
                    "on_pace": numbers["on_pace"], "finished": numbers["finished"],
                    "inactive": numbers["students"] - numbers["active"]}[query.status]
    elif rows:
        matching = rows[0].matching
    else:
        matching = db.scalar(sql.select(func.count()).where(condition)) or 0
    return [sql.student(r) for r in rows], matching


_CELL_COLUMNS = (WeekProgress.user_id, WeekProgress.week_number, WeekProgress.fraction, WeekProgress.items_done,
                 WeekProgress.items_total, WeekProgress.has_quiz, WeekProgress.quiz_score, WeekProgress.quiz_max,
                 WeekProgress.quiz_passed, WeekProgress.quiz_attempts, WeekProgress.labs_total, WeekProgress.lab_score,
                 WeekProgress.lab_max, WeekProgress.last_work_at)


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:g}"


class Cell(NamedTuple):
    """One heatmap cell, ready to render (a tuple: a page has 50 x 33 of them)."""
    cls: str        # CSS classes: heat level, late, overdue
    label: str      # the percentage shown in the cell
    tip: str        # the parts, shown on hover or focus
    fraction: float
    late: bool      # work arrived after the (extended) due date
    overdue: bool   # due date passed and the week not done
    extended: bool
    due: date | None


def _cell(row, number: int, user_id: int, sched: pacing.Schedule, now: datetime) -> Cell:
    """A heatmap cell from a _CELL_COLUMNS row (or None: no activity that week)."""
    extended = user_id in sched.extensions and number in sched.extensions[user_id]
    due = sched.due_for(user_id, number) if extended else sched.due.get(number)
    deadline = sched.deadline_for(user_id, number) if extended else sched.deadlines.get(number)
    late = False
    if row is None:
        fraction, level, parts = 0.0, 0, f"Week {number}: 0%\nNo activity"
    else:
        fraction = row.fraction or 0.0
        level = 0 if fraction <= 0 else min(5, max(1, math.ceil(fraction * 5 - 1e-9)))
        parts = f"Week {number}: {round(100 * fraction)}%\nChecklist {row.items_done}/{row.items_total}"
        if row.has_quiz:
            if row.quiz_attempts:
                parts += (f"\nQuiz {_num(row.quiz_score)}/{_num(row.quiz_max)} "
                          f"{'passed' if row.quiz_passed else 'not passed'} ({row.quiz_attempts} attempt"
                          f"{'s' if row.quiz_attempts != 1 else ''})")
            else:
                parts += "\nQuiz not taken"
        if row.labs_total:
            parts += f"\nLabs {_num(row.lab_score)}/{_num(row.lab_max)}"
        late = row.last_work_at is not None and deadline is not None and row.last_work_at >= deadline
    overdue = deadline is not None and deadline <= now and fraction < summary.WEEK_DONE
    cls, tail = f"heat l{level}", " (extended)" if extended else ""
    if late:
        cls, tail = cls + " late", tail + " · late work"
    if overdue:
        cls, tail = cls + " overdue", tail + " · overdue"
    return Cell(cls, str(round(100 * fraction)) if level else "", f"{parts}\nDue {due}{tail}", fraction, late,
                overdue, extended, due)


@dataclass
class Dashboard:
    cohort: Cohort
    weeks: list[int]
    schedule: pacing.Schedule
    numbers: dict
    students: list[StudentRow]   # the page
    total: int                   # students matching the filter
    at_risk: list[StudentRow]
    query: Query
    pages: int
    charts: dict
    current_week: int
    recomputing: int = 0         # stale summaries left to the background task


def dashboard(db: Session, cohort: Cohort, query: Query, now: datetime | None = None,
              at_risk_limit: int | None = 50) -> Dashboard:
    """Everything the dashboard page shows, in a fixed number of queries (about a dozen) whatever the size
    of the cohort: aggregates and one page of rows over the pre-computed summaries."""
    now = now or utcnow()
    summary.refresh_pending(db)
    shape = summary.course_shape(db)
    sched = pacing.schedule(db, cohort, shape.numbers)
    recomputing = ensure_summaries(db, cohort, shape)
    sql = CohortSQL(cohort, sched, len(shape.numbers), now)
    numbers, histogram = cohort_numbers(db, sql)
    page, matching = students_page(db, sql, query, numbers)
    if page:
        rows = defaultdict(dict)
        for wp in db.execute(select(*_CELL_COLUMNS).where(WeekProgress.user_id.in_([s.user_id for s in page]))):
            rows[wp.user_id][wp.week_number] = wp
        for s in page:
            s.cells = {n: _cell(rows[s.user_id].get(n), n, s.user_id, sched, now) for n in shape.numbers}
    charts = {"progress": progress_chart(db, sql, numbers["students"]),
              "distribution": {"labels": [f"{10 * i}–{10 * i + 9 if i < 9 else 100}%" for i in range(10)],
                               "counts": histogram}}
    return Dashboard(cohort, shape.numbers, sched, numbers, page, matching,
                     at_risk_students(db, sql, at_risk_limit) if numbers["at_risk"] else [], query,
                     max(1, math.ceil(matching / query.per_page)), charts, sched.current_week(now.date()),
                     recomputing)


# --- student drill-down ---------------------------------------------------------------------------------

def enrolled_student(db: Session, cohort: Cohort, user_id: int) -> User:
    student = db.scalar(select(User).join(Enrollment, Enrollment.user_id == User.id)
                        .where(User.id == user_id, Enrollment.cohort_id == cohort.id))
    if student is None:
        raise not_found(f"Student {user_id} in {cohort.name}")
    return student


def student_detail(db: Session, cohort: Cohort, student: User, now: datetime | None = None) -> dict:
    now = now or utcnow()
    summary.refresh_pending(db)
    shape = summary.course_shape(db)
    sched = pacing.schedule(db, cohort, shape.numbers)
    weeks = list(db.scalars(select(Week).order_by(Week.number)))
    items = defaultdict(list)
    for item in db.scalars(select(ChecklistItem).where(ChecklistItem.active.is_(True))
                           .order_by(ChecklistItem.week_id, ChecklistItem.position)):
        items[item.week_id].append(item)
    ticked = dict(db.execute(select(ChecklistProgress.item_id, ChecklistProgress.updated_at)
                             .where(ChecklistProgress.user_id == student.id, ChecklistProgress.done.is_(True))).all())
    progress = {wp.week_number: wp for wp in db.scalars(select(WeekProgress)
                                                        .where(WeekProgress.user_id == student.id))}
    labs = defaultdict(list)
    for lab in db.scalars(select(Lab).order_by(Lab.position, Lab.id)):
        labs[lab.week_id].append(lab)
    subs = defaultdict(list)
    for row in db.execute(select(Submission.id, Submission.lab_id, Submission.attempt, Submission.status,
                                 Submission.score, Submission.max_score, Submission.created_at, Submission.result)
                          .where(Submission.user_id == student.id).order_by(Submission.id)):
        tests = (row.result or {}).get("tests") or []
        subs[row.lab_id].append({
            "id": row.id, "attempt": row.attempt, "status": row.status, "score": row.score,
            "max_score": row.max_score, "created_at": row.created_at,
            "checks": f"{sum(1 for t in tests if t.get('passed'))}/{len(tests)}" if tests else None})
    attempts = defaultdict(list)
    for attempt in quizdata.attempts_of(db, student.id):
        attempts[attempt["week_id"]].append(attempt)
    student_row = db.get(StudentProgress, student.id)
    out = []
    for week in weeks:
        due = sched.due_for(student.id, week.number)
        for sub in (s for lab in labs[week.id] for s in subs[lab.id]):
            sub["late"] = pacing.is_late(sub["created_at"], due)
        for attempt in attempts[week.id]:
            attempt["late"] = pacing.is_late(attempt.get("submitted_at"), due)
        out.append({
            "week": week, "due": due, "extended": week.number in sched.extensions.get(student.id, {}),
            "progress": progress.get(week.number),
            "late": pacing.is_late(progress[week.number].last_work_at, due) if week.number in progress else False,
            "items": [{"item": i, "done": i.id in ticked, "at": ticked.get(i.id)} for i in items[week.id]],
            "labs": [{"lab": lab, "submissions": subs[lab.id]} for lab in labs[week.id]],
            "quiz_attempts": attempts[week.id],
        })
    return {"student": student, "weeks": out, "summary": student_row, "schedule": sched,
            "expected": sched.expected_weeks(student.id, now)}


# --- lab and quiz statistics ------------------------------------------------------------------------------

def _cohort_students(cohort: Cohort):
    return (select(Enrollment.user_id).join(User, User.id == Enrollment.user_id)
            .where(Enrollment.cohort_id == cohort.id, User.role == Role.student.name))


def _medians(db: Session, value, condition) -> dict[str, float]:
    """The median of `value` per lab from a GROUP BY of its distinct values (few: attempts, minutes)."""
    counts: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for lab_id, v, n in db.execute(select(LabProgress.lab_id, value, func.count()).where(condition, value.is_not(None))
                                   .group_by(LabProgress.lab_id, value)):
        counts[lab_id].append((float(v), int(n)))
    out = {}
    for lab_id, pairs in counts.items():
        pairs.sort()
        total = sum(n for _, n in pairs)
        wanted = sorted({(total - 1) // 2, total // 2})  # the middle position(s), 0-based
        found, seen = [], 0
        for v, n in pairs:
            while wanted and wanted[0] < seen + n:
                found.append(v)
                wanted.pop(0)
            seen += n
        out[lab_id] = sum(found) / len(found)
    return out


def lab_stats(db: Session, cohort: Cohort, top_checks: int = 5) -> list[analytics.LabStat]:
    """Per gradeable lab, over the cohort's students who submitted it: students, attempts, passes, mean best
    score, the medians of attempts, attempts to the first pass and time to the first pass, and the most-failed
    checks (time to pass to the minute). Aggregates only (six queries), whatever the cohort size."""
    summary.refresh_pending(db)
    students = _cohort_students(cohort).subquery()
    mine = and_(LabProgress.user_id.in_(select(students.c.user_id)), LabProgress.attempts > 0)
    stats = {lab_id: analytics.LabStat(lab_id, title, number, max_score) for lab_id, title, number, max_score in
             db.execute(select(Lab.id, Lab.title, Week.number, Lab.max_score).join(Week, Week.id == Lab.week_id)
                        .where(Lab.gradeable.is_(True)))}
    for lab_id, n, attempts, passed, mean_best in db.execute(
            select(LabProgress.lab_id, func.count(), func.sum(LabProgress.attempts),
                   func.sum(case((LabProgress.passed.is_(True), 1), else_=0)), func.avg(LabProgress.best_score))
            .where(mine).group_by(LabProgress.lab_id)):
        if lab_id in stats:
            s = stats[lab_id]
            s.students, s.attempts, s.passed = int(n), int(attempts or 0), int(passed or 0)
            s.mean_best = float(mean_best) if mean_best is not None else None
    for attribute, column, condition in (
            ("median_attempts", LabProgress.attempts, mine),
            ("median_attempts_to_pass", LabProgress.attempts_to_pass, and_(mine, LabProgress.passed.is_(True))),
            ("median_time_to_pass", func.round(LabProgress.seconds_to_pass / 60.0),  # to the minute
             and_(mine, LabProgress.passed.is_(True)))):
        for lab_id, value in _medians(db, column, condition).items():
            if lab_id in stats:
                setattr(stats[lab_id], attribute, value * 60 if attribute == "median_time_to_pass" else value)
    checks: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    for lab_id, check, total, n in db.execute(
            select(LabCheckFailure.lab_id, LabCheckFailure.check_name, func.sum(LabCheckFailure.failures),
                   func.count())
            .where(LabCheckFailure.user_id.in_(select(students.c.user_id)))
            .group_by(LabCheckFailure.lab_id, LabCheckFailure.check_name)):
        checks[lab_id].append((check, int(total), int(n)))
    for lab_id, rows in checks.items():
        if lab_id in stats:
            stats[lab_id].failed_checks = sorted(rows, key=lambda c: (-c[1], c[0]))[:top_checks]
    return sorted(stats.values(), key=lambda s: (s.week, s.lab_id))


def quiz_overview(db: Session, cohort: Cohort) -> list[dict]:
    summary.refresh_pending(db)
    return quizdata.quiz_overview(db, _cohort_students(cohort))


def quiz_items(db: Session, cohort: Cohort, quiz_id: str) -> tuple[dict, list[analytics.ItemStat]]:
    quiz = quizdata.quiz_info(db, quiz_id)
    if quiz is None:
        raise not_found(f"Quiz {quiz_id!r}")
    attempts = quizdata.first_attempts(db, quiz_id, _cohort_students(cohort))
    return {**quiz, "attempts": len(attempts)}, analytics.item_analysis(attempts)
