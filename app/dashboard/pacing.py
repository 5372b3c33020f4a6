"""Cohort pace, due dates, extensions and late marking.

Week N of a cohort is due on start + N x (days per week) unless an instructor edited that week's date; a
student with an extension for a week has that later date instead. Work is late when it arrives after the
end (UTC) of its due date."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.cohorts.models import Cohort, Enrollment
from app.core.db import utcnow
from app.core.errors import bad_request, not_found
from app.dashboard.models import CohortDueDate, CohortPacing, Extension
from app.users.models import User

DEFAULTS = {"days_per_week": 7, "inactive_days": 7, "behind_weeks": 2, "check_failures": 3, "quiz_failures": 2}
LIMITS = {"days_per_week": (1, 60), "inactive_days": (1, 365), "behind_weeks": (1, 33), "check_failures": (2, 50),
          "quiz_failures": (1, 20)}
LABELS = {"days_per_week": "Days per course week", "inactive_days": "Inactive after (days)",
          "behind_weeks": "Behind by (weeks)", "check_failures": "Failures of the same check",
          "quiz_failures": "Quiz failed (times)"}


def deadline_of(due: date) -> datetime:
    """The moment a due date ends: work stamped at or after it is late."""
    return datetime.combine(due + timedelta(days=1), time.min, tzinfo=timezone.utc)


def is_late(when: datetime | None, due: date | None) -> bool:
    return when is not None and due is not None and when >= deadline_of(due)


@dataclass
class Schedule:
    """A cohort's due dates (week number -> date) and the extensions of its students."""
    cohort: Cohort
    settings: dict
    due: dict[int, date]
    edited: set[int] = field(default_factory=set)
    extensions: dict[int, dict[int, date]] = field(default_factory=dict)  # user_id -> {week: date}

    def __post_init__(self) -> None:
        self.deadlines = {week: deadline_of(d) for week, d in self.due.items()}
        self._expected: dict[datetime, int] = {}

    def due_for(self, user_id: int, week: int) -> date | None:
        return self.extensions.get(user_id, {}).get(week) or self.due.get(week)

    def deadline_for(self, user_id: int, week: int) -> datetime | None:
        extended = self.extensions.get(user_id, {}).get(week)
        return deadline_of(extended) if extended else self.deadlines.get(week)

    def late(self, user_id: int, week: int, when: datetime | None) -> bool:
        deadline = self.deadline_for(user_id, week)
        return when is not None and deadline is not None and when >= deadline

    def expected_weeks(self, user_id: int | None = None, now: datetime | None = None) -> int:
        """How many weeks should be done by now (their due date has ended)."""
        now = now or utcnow()
        if user_id is None or user_id not in self.extensions:
            if now not in self._expected:
                self._expected[now] = sum(1 for d in self.deadlines.values() if d <= now)
            return self._expected[now]
        return sum(1 for w in self.due if self.deadline_for(user_id, w) <= now)

    def current_week(self, today: date | None = None) -> int:
        """The week being worked on today: the first whose due date has not ended (0 before the start)."""
        today = today or utcnow().date()
        if today < self.cohort.start_date:
            return 0
        pending = [w for w, d in sorted(self.due.items()) if d >= today]
        return pending[0] if pending else (max(self.due) if self.due else 0)


def pacing_settings(db: Session, cohort_id: int) -> dict:
    row = db.get(CohortPacing, cohort_id)
    return {k: getattr(row, k) for k in DEFAULTS} if row else dict(DEFAULTS)


def schedule(db: Session, cohort: Cohort, week_numbers: list[int], with_extensions: bool = True) -> Schedule:
    """Three queries whatever the cohort size."""
    settings = pacing_settings(db, cohort.id)
    edited = dict(db.execute(select(CohortDueDate.week_number, CohortDueDate.due_date)
                             .where(CohortDueDate.cohort_id == cohort.id)).all())
    pace = settings["days_per_week"]
    due = {n: edited.get(n) or cohort.start_date + timedelta(days=n * pace) for n in week_numbers}
    extensions: dict[int, dict[int, date]] = {}
    if with_extensions:
        for user_id, week, due_date in db.execute(select(Extension.user_id, Extension.week_number, Extension.due_date)
                                                  .where(Extension.cohort_id == cohort.id)):
            extensions.setdefault(user_id, {})[week] = due_date
    return Schedule(cohort, settings, due, set(edited) & set(week_numbers), extensions)


def _int_field(name: str, raw: str | int | None) -> int:
    low, high = LIMITS[name]
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        raise bad_request(f"{LABELS[name]} must be a whole number.", "bad_number") from None
    if not low <= value <= high:
        raise bad_request(f"{LABELS[name]} must be between {low} and {high}.", "bad_number")
    return value


def parse_date(raw: str | date | None, what: str = "The date") -> date:
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat((raw or "").strip())
    except ValueError:
        raise bad_request(f"{what} must look like 2026-09-01.", "bad_date") from None


def update_pacing(db: Session, cohort: Cohort, values: dict, start_date: str | None = None) -> dict:
    """Validate everything first, then write (a bad field writes nothing)."""
    parsed = {name: _int_field(name, values[name]) for name in DEFAULTS if values.get(name) not in (None, "")}
    new_start = parse_date(start_date, "The start date") if start_date not in (None, "") else None
    row = db.get(CohortPacing, cohort.id)
    if row is None:
        row = CohortPacing(cohort_id=cohort.id, **DEFAULTS)
        db.add(row)
    for name, value in parsed.items():
        setattr(row, name, value)
    row.updated_at = utcnow()
    if new_start is not None:
        cohort.start_date = new_start
    db.flush()
    return pacing_settings(db, cohort.id)


def set_due_dates(db: Session, cohort: Cohort, dates: dict[int, str], week_numbers: list[int]) -> int:
    """Store the weeks whose date differs from the pace's default; an empty value restores the default.
    Returns the number of edited weeks."""
    pace = pacing_settings(db, cohort.id)["days_per_week"]
    parsed: dict[int, date | None] = {}
    for week, raw in dates.items():
        if week not in week_numbers:
            raise bad_request(f"There is no week {week} in this course.", "bad_week")
        parsed[week] = parse_date(raw, f"The due date of week {week}") if (raw or "").strip() else None
    for week, value in parsed.items():
        if value is not None and value < cohort.start_date:
            raise bad_request(f"Week {week} cannot be due before the cohort starts ({cohort.start_date}).",
                              "bad_date")
    db.execute(delete(CohortDueDate).where(CohortDueDate.cohort_id == cohort.id,
                                           CohortDueDate.week_number.in_(list(parsed))))
    for week, value in parsed.items():
        if value is not None and value != cohort.start_date + timedelta(days=week * pace):
            db.add(CohortDueDate(cohort_id=cohort.id, week_number=week, due_date=value))
    db.flush()
    return len(db.scalars(select(CohortDueDate.week_number).where(CohortDueDate.cohort_id == cohort.id)).all())


def reset_due_dates(db: Session, cohort: Cohort) -> None:
    db.execute(delete(CohortDueDate).where(CohortDueDate.cohort_id == cohort.id))
    db.flush()


def grant_extension(db: Session, cohort: Cohort, granted_by: User, student_email: str, week: int | str,
                    due_date: str | date, reason: str, week_numbers: list[int]) -> Extension:
    email = (student_email or "").strip().lower()
    student = db.scalar(select(User).join(Enrollment, Enrollment.user_id == User.id)
                        .where(User.email == email, Enrollment.cohort_id == cohort.id)) if email else None
    if student is None:
        raise bad_request(f"No student with the email {email or '(empty)'} is in {cohort.name}.", "unknown_student")
    try:
        week = int(str(week).strip())
    except ValueError:
        raise bad_request("Choose the week the extension is for.", "bad_week") from None
    if week not in week_numbers:
        raise bad_request(f"There is no week {week} in this course.", "bad_week")
    new_due = parse_date(due_date, "The new due date")
    reason = (reason or "").strip()
    if len(reason) > 300:
        raise bad_request("Keep the reason under 300 characters.", "bad_reason")
    sched = schedule(db, cohort, week_numbers, with_extensions=False)
    if new_due <= sched.due[week]:
        raise bad_request(f"An extension must be later than the week's due date ({sched.due[week]}).",
                          "bad_extension")
    row = db.scalar(select(Extension).where(Extension.cohort_id == cohort.id, Extension.user_id == student.id,
                                            Extension.week_number == week))
    if row is None:
        row = Extension(cohort_id=cohort.id, user_id=student.id, week_number=week)
        db.add(row)
    row.due_date, row.reason, row.granted_by_id, row.created_at = new_due, reason, granted_by.id, utcnow()
    db.flush()
    return row


def revoke_extension(db: Session, cohort: Cohort, extension_id: int) -> None:
    row = db.get(Extension, extension_id)
    if row is None or row.cohort_id != cohort.id:
        raise not_found("That extension")
    db.delete(row)
    db.flush()


def list_extensions(db: Session, cohort: Cohort) -> list[tuple[Extension, User]]:
    return list(db.execute(select(Extension, User).join(User, User.id == Extension.user_id)
                           .where(Extension.cohort_id == cohort.id)
                           .order_by(Extension.week_number, User.name)).tuples())

