"""The gradebook: category weights set per course, per-student totals, CSV export (streamed by the API;
generated in the background by a Celery task for large cohorts, with a download link).

Categories: checklist (items ticked / items in the course), quizzes (mean of the quizzes' scores as a share
of their maximum; a quiz not taken counts 0), labs (points earned / points available over the gradeable
labs) and capstone (the same over the labs marked as capstone). The total is the weighted mean of the
categories that have at least one item, so a course without a capstone lab still totals 100%."""
from __future__ import annotations

import csv
import io
import logging
import math
import secrets
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from app.cohorts.models import Cohort, Enrollment
from app.config import get_settings
from app.core.db import session_scope, utcnow
from app.core.errors import bad_request, not_found
from app.core.tasks import GRADEBOOK_EXPORT, enqueue
from app.course.models import ChecklistItem, Week
from app.dashboard import analytics, pacing, quizdata, summary
from app.dashboard.models import GradebookExport, GradebookSettings, LabProgress, StudentProgress, WeekProgress
from app.labs.models import Lab
from app.users.models import Role, User

log = logging.getLogger(__name__)
EXPORT_INLINE_MAX = 500   # larger cohorts are exported in the background from the page
CATEGORIES = ("checklist", "quizzes", "labs", "capstone")
DEFAULT_WEIGHTS = {"checklist": 10.0, "quizzes": 30.0, "labs": 40.0, "capstone": 20.0}


# --- settings ---------------------------------------------------------------------------------------------

@dataclass
class Weights:
    checklist: float = DEFAULT_WEIGHTS["checklist"]
    quizzes: float = DEFAULT_WEIGHTS["quizzes"]
    labs: float = DEFAULT_WEIGHTS["labs"]
    capstone: float = DEFAULT_WEIGHTS["capstone"]
    capstone_labs: list[str] = field(default_factory=list)

    def of(self, category: str) -> float:
        return getattr(self, category)


def get_weights(db: Session) -> Weights:
    row = db.get(GradebookSettings, 1)
    if row is None:
        return Weights()
    return Weights(row.weight_checklist, row.weight_quizzes, row.weight_labs, row.weight_capstone,
                   list(row.capstone_labs or []))


def update_weights(db: Session, user: User, values: dict, capstone_labs: list[str]) -> Weights:
    """Validate every field first; a bad one writes nothing."""
    parsed = {}
    for category in CATEGORIES:
        raw = str(values.get(category, "")).strip()
        try:
            value = float(raw)
        except ValueError:
            raise bad_request(f"The {category} weight must be a number (e.g. 30).", "bad_weight") from None
        if not math.isfinite(value) or not 0 <= value <= 1000:
            raise bad_request(f"The {category} weight must be between 0 and 1000.", "bad_weight")
        parsed[category] = value
    if sum(parsed.values()) <= 0:
        raise bad_request("At least one weight must be above 0.", "bad_weight")
    gradeable = set(db.scalars(select(Lab.id).where(Lab.gradeable.is_(True))))
    capstone = sorted({c.strip() for c in capstone_labs if c and c.strip()})
    unknown = [c for c in capstone if c not in gradeable]
    if unknown:
        raise bad_request(f"Not a gradeable lab: {', '.join(unknown)}.", "bad_capstone")
    row = db.get(GradebookSettings, 1)
    if row is None:
        row = GradebookSettings(id=1)
        db.add(row)
    row.weight_checklist, row.weight_quizzes = parsed["checklist"], parsed["quizzes"]
    row.weight_labs, row.weight_capstone = parsed["labs"], parsed["capstone"]
    row.capstone_labs, row.updated_at, row.updated_by_id = capstone, utcnow(), user.id
    db.flush()
    return get_weights(db)


# --- the grade table ----------------------------------------------------------------------------------------

@dataclass
class Layout:
    labs: list[tuple[str, int, float]]       # (lab id, week, max score), capstone labs excluded
    capstone: list[tuple[str, int, float]]
    quizzes: list[tuple[int, str]]           # (week number, quiz id)
    items_total: int
    weights: Weights

    @property
    def present(self) -> dict[str, bool]:
        return {"checklist": self.items_total > 0, "quizzes": bool(self.quizzes),
                "labs": any(m > 0 for _, _, m in self.labs), "capstone": any(m > 0 for _, _, m in self.capstone)}


def layout(db: Session, weights: Weights | None = None) -> Layout:
    weights = weights or get_weights(db)
    capstone_ids = set(weights.capstone_labs)
    labs = [(lab_id, number, max_score or 0.0) for lab_id, number, max_score in db.execute(
        select(Lab.id, Week.number, Lab.max_score).join(Week, Week.id == Lab.week_id)
        .where(Lab.gradeable.is_(True)).order_by(Week.number, Lab.position, Lab.id))]
    numbers = dict(db.execute(select(Week.id, Week.number)).all())
    quizzes = sorted((numbers[w], quiz_id) for w, (quiz_id, _) in quizdata.quizzes_by_week(db).items() if w in numbers)
    items_total = db.scalar(select(func.count()).select_from(ChecklistItem).where(ChecklistItem.active.is_(True)))
    return Layout([lab for lab in labs if lab[0] not in capstone_ids], [lab for lab in labs if lab[0] in capstone_ids],
                  quizzes, items_total or 0, weights)


@dataclass
class GradeRow:
    user_id: int
    name: str
    email: str
    labs: dict[str, float | None]       # lab id -> best score (detail only)
    quizzes: dict[int, float | None]    # week -> score share (detail only; None: not taken)
    items_done: int
    late_weeks: int | None              # None: not computed (summary rows)
    pct: dict[str, float | None]        # category -> share, None when the category has no items
    total: float


def _share(earned: float, available: float) -> float | None:
    return earned / available if available > 0 else None


def category_totals(lay: Layout, lab_points: float, capstone_points: float, quiz_shares: float,
                    items_done: int) -> tuple[dict[str, float | None], float]:
    """The category shares and the weighted total from a student's sums."""
    pct = {
        "checklist": _share(items_done, lay.items_total),
        "quizzes": quiz_shares / len(lay.quizzes) if lay.quizzes else None,
        "labs": _share(lab_points, sum(m for _, _, m in lay.labs)),
        "capstone": _share(capstone_points, sum(m for _, _, m in lay.capstone)),
    }
    weighted = [(lay.weights.of(c), pct[c]) for c in CATEGORIES if pct[c] is not None and lay.weights.of(c) > 0]
    total_weight = sum(w for w, _ in weighted)
    return pct, (sum(w * p for w, p in weighted) / total_weight if total_weight else 0.0)


def compute_row(user_id: int, name: str, email: str, lay: Layout, labs: dict[str, float | None],
                quizzes: dict[int, float | None], items_done: int, late_weeks: int | None) -> GradeRow:
    pct, total = category_totals(lay, sum(labs.get(lab_id) or 0.0 for lab_id, _, _ in lay.labs),
                                 sum(labs.get(lab_id) or 0.0 for lab_id, _, _ in lay.capstone),
                                 sum(quizzes.get(w) or 0.0 for w, _ in lay.quizzes), items_done)
    return GradeRow(user_id, name, email, labs, quizzes, items_done, late_weeks, pct, total)


def _people(db: Session, cohorts: list[Cohort], inline_max: int | None = None) -> list:
    """The cohorts' students (name order), recomputing stale summaries first."""
    from app.dashboard.service import ensure_summaries

    shape = summary.course_shape(db)
    for cohort in cohorts:
        ensure_summaries(db, cohort, shape, inline_max)
    return db.execute(select(User.id, User.name, User.email, StudentProgress.items_done)
                      .join(Enrollment, Enrollment.user_id == User.id)
                      .outerjoin(StudentProgress, StudentProgress.user_id == User.id)
                      .where(Enrollment.cohort_id.in_([c.id for c in cohorts]), User.role == Role.student.name)
                      .distinct().order_by(User.name, User.id)).all()


def _in_cohorts(column, cohorts: list[Cohort]):
    return column.in_(select(Enrollment.user_id).where(Enrollment.cohort_id.in_([c.id for c in cohorts])))


def _late_weeks(db: Session, cohorts: list[Cohort], user_filter) -> dict[int, int]:
    """Weeks with work after the (extended) due date, per student."""
    weeks = list(db.scalars(select(Week.number).order_by(Week.number)))
    schedules = {c.id: pacing.schedule(db, c, weeks) for c in cohorts}
    cohort_of = dict(db.execute(select(Enrollment.user_id, func.min(Enrollment.cohort_id))
                                .where(Enrollment.cohort_id.in_(list(schedules)), user_filter(Enrollment.user_id))
                                .group_by(Enrollment.user_id)).all()) if len(cohorts) > 1 else {}
    late: dict[int, int] = defaultdict(int)
    for user_id, week, last_work in db.execute(
            select(WeekProgress.user_id, WeekProgress.week_number, WeekProgress.last_work_at)
            .where(user_filter(WeekProgress.user_id), WeekProgress.last_work_at.is_not(None))):
        if schedules[cohort_of.get(user_id, cohorts[0].id)].late(user_id, week, last_work):
            late[user_id] += 1
    return late


def grade_rows(db: Session, cohorts: list[Cohort], lay: Layout | None = None,
               inline_max: int | None = None) -> list[GradeRow]:
    """Every student's grades with the per-item detail (for the CSV), in a fixed number of queries per cohort."""
    summary.refresh_pending(db)
    lay = lay or layout(db)
    people = _people(db, cohorts, inline_max) if cohorts else []
    if not people:
        return []
    user_filter = lambda column: _in_cohorts(column, cohorts)  # noqa: E731
    labs = defaultdict(dict)
    for user_id, lab_id, best in db.execute(select(LabProgress.user_id, LabProgress.lab_id, LabProgress.best_score)
                                            .where(user_filter(LabProgress.user_id))):
        labs[user_id][lab_id] = best
    quiz_share = defaultdict(dict)
    for user_id, week, score, top in db.execute(
            select(WeekProgress.user_id, WeekProgress.week_number, WeekProgress.quiz_score, WeekProgress.quiz_max)
            .where(user_filter(WeekProgress.user_id), WeekProgress.quiz_score.is_not(None),
                   WeekProgress.quiz_max > 0)):
        quiz_share[user_id][week] = score / top
    late = _late_weeks(db, cohorts, user_filter)
    return [compute_row(p.id, p.name, p.email, lay, labs[p.id], quiz_share[p.id], p.items_done or 0, late[p.id])
            for p in people]


def summary_rows(db: Session, cohort: Cohort, lay: Layout) -> list[GradeRow]:
    """Every student's category shares and total without the per-item detail: two GROUP BY queries, for the
    gradebook page (which sorts the whole cohort by total). `late_weeks` is filled by `add_late_weeks`."""
    summary.refresh_pending(db)
    people = _people(db, [cohort])
    if not people:
        return []
    user_filter = lambda column: _in_cohorts(column, [cohort])  # noqa: E731
    capstone_ids = [lab_id for lab_id, _, _ in lay.capstone] or [""]
    lab_ids = [lab_id for lab_id, _, _ in lay.labs] or [""]
    best = func.coalesce(LabProgress.best_score, 0.0)
    lab_sums = {row[0]: row for row in db.execute(
        select(LabProgress.user_id, func.sum(case((LabProgress.lab_id.in_(lab_ids), best), else_=0.0)),
               func.sum(case((LabProgress.lab_id.in_(capstone_ids), best), else_=0.0)))
        .where(user_filter(LabProgress.user_id)).group_by(LabProgress.user_id))}
    quiz_weeks = [w for w, _ in lay.quizzes] or [-1]
    quiz_sums = dict(db.execute(
        select(WeekProgress.user_id, func.sum(WeekProgress.quiz_score / WeekProgress.quiz_max))
        .where(user_filter(WeekProgress.user_id), WeekProgress.quiz_score.is_not(None), WeekProgress.quiz_max > 0,
               WeekProgress.week_number.in_(quiz_weeks))
        .group_by(WeekProgress.user_id)).all())
    rows = []
    for p in people:
        sums = lab_sums.get(p.id)
        pct, total = category_totals(lay, float(sums[1] or 0) if sums else 0.0, float(sums[2] or 0) if sums else 0.0,
                                     float(quiz_sums.get(p.id) or 0.0), p.items_done or 0)
        rows.append(GradeRow(p.id, p.name, p.email, {}, {}, p.items_done or 0, None, pct, total))
    return rows


def add_late_weeks(db: Session, cohort: Cohort, rows: list[GradeRow]) -> None:
    if rows:
        ids = [r.user_id for r in rows]
        late = _late_weeks(db, [cohort], lambda column: column.in_(ids))
        for row in rows:
            row.late_weeks = late[row.user_id]


def columns(lay: Layout) -> list[str]:
    head = ["user_id", "name", "email", "cohort"]
    head += [f"{lab_id} (/{m:g})" for lab_id, _, m in lay.labs]
    head += [f"{lab_id} capstone (/{m:g})" for lab_id, _, m in lay.capstone]
    head += [f"quiz week{week:02d} (%)" for week, _ in lay.quizzes]
    head += [f"checklist (/{lay.items_total})"]
    head += [f"{c} % (weight {lay.weights.of(c):g})" for c in CATEGORIES]
    head += ["total %", "late weeks"]
    return head


def _num(value: float | None, digits: int = 2) -> str:
    return "" if value is None else f"{round(value, digits):g}"


def csv_values(row: GradeRow, lay: Layout, cohort_name: str) -> list:
    values = [row.user_id, row.name, row.email, cohort_name]
    values += [_num(row.labs.get(lab_id)) for lab_id, _, _ in lay.labs + lay.capstone]
    values += [_num(None if row.quizzes.get(w) is None else 100 * row.quizzes[w], 1) for w, _ in lay.quizzes]
    values += [row.items_done]
    values += [_num(None if row.pct[c] is None else 100 * row.pct[c], 1) for c in CATEGORIES]
    values += [_num(100 * row.total, 1), row.late_weeks]
    return values


def _safe_cell(value) -> object:
    """Spreadsheets run cells starting with = + - @ as formulas: quote them (names and emails are user input)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def csv_chunks(rows: list[GradeRow], lay: Layout, cohort_names: dict[int, str] | str,
               chunk_rows: int = 200) -> Iterator[str]:
    """The CSV text in chunks (for streaming): a header, then one line per student."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns(lay))
    for index, row in enumerate(rows, 1):
        name = cohort_names if isinstance(cohort_names, str) else cohort_names.get(row.user_id, "")
        writer.writerow([_safe_cell(v) for v in csv_values(row, lay, name)])
        if index % chunk_rows == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def cohort_names(db: Session, cohorts: list[Cohort]) -> dict[int, str] | str:
    if len(cohorts) == 1:
        return cohorts[0].name
    names = {c.id: c.name for c in cohorts}
    out: dict[int, list[str]] = defaultdict(list)
    for user_id, cohort_id in db.execute(select(Enrollment.user_id, Enrollment.cohort_id)
                                         .where(Enrollment.cohort_id.in_(list(names))).order_by(Enrollment.cohort_id)):
        out[user_id].append(names[cohort_id])
    return {user_id: "; ".join(n) for user_id, n in out.items()}


def distribution(rows: list[GradeRow]) -> list[int]:
    return analytics.histogram([r.total for r in rows])


# --- background export -----------------------------------------------------------------------------------

def exports_dir() -> Path:
    path = get_settings().resolved_data_dir / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def export_path(export: GradebookExport) -> Path:
    return exports_dir() / f"gradebook-{export.id}-{export.token}.csv"


def request_export(db: Session, user: User, cohort: Cohort) -> GradebookExport:
    """Queue a background export; the task is sent once the row is committed."""
    export = GradebookExport(cohort_id=cohort.id, requested_by_id=user.id, status="queued",
                             token=secrets.token_urlsafe(16))
    db.add(export)
    db.flush()
    enqueue(db, GRADEBOOK_EXPORT, export.id)
    return export


def recent_exports(db: Session, cohort: Cohort, limit: int = 5) -> list[GradebookExport]:
    return list(db.scalars(select(GradebookExport).where(GradebookExport.cohort_id == cohort.id)
                           .order_by(GradebookExport.id.desc()).limit(limit)))


def get_export(db: Session, export_id: int) -> GradebookExport:
    export = db.get(GradebookExport, export_id)
    if export is None:
        raise not_found(f"Export {export_id}")
    return export


def write_export(db: Session, export: GradebookExport) -> int:
    cohort = db.get(Cohort, export.cohort_id)
    lay = layout(db)
    rows = grade_rows(db, [cohort], lay, inline_max=10**9)  # in the worker: bring every summary up to date
    path = export_path(export)
    tmp = path.with_suffix(".part")
    with tmp.open("w", encoding="utf-8", newline="") as handle:
        for chunk in csv_chunks(rows, lay, cohort.name):
            handle.write(chunk)
    tmp.replace(path)
    return len(rows)


def run_export(export_id: int) -> str:
    """The Celery task's body: claim the export with a conditional update (a redelivered message is
    harmless), write the file, record the outcome."""
    with session_scope() as db:
        claimed = db.execute(update(GradebookExport).where(GradebookExport.id == export_id,
                                                           GradebookExport.status == "queued")
                             .values(status="running")).rowcount
    if claimed != 1:
        return "skipped"
    try:
        with session_scope() as db:
            export = db.get(GradebookExport, export_id)
            rows = write_export(db, export)
            export.status, export.rows, export.finished_at = "done", rows, utcnow()
        return "done"
    except Exception as exc:  # noqa: BLE001 - recorded on the export and shown on the page
        log.exception("gradebook export %s failed", export_id)
        with session_scope() as db:
            db.execute(update(GradebookExport).where(GradebookExport.id == export_id)
                       .values(status="error", error=str(exc)[:2000], finished_at=utcnow()))
        return "error"
