"""JSON and CSV API for instructors: GET /api/v1/gradebook.csv (a stable contract) and a cohort's dashboard
numbers and at-risk list."""
from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from app.core.deps import CurrentUser, Db, require_role
from app.core.db import utcnow
from app.core.params import RowId
from app.dashboard import gradebook, service
from app.dashboard.schemas import DashboardOut
from app.users.models import Role

router = APIRouter(prefix="/api/v1", tags=["instructor"], dependencies=[require_role(Role.instructor)])


@router.get("/gradebook.csv", response_class=StreamingResponse,
            responses={200: {"content": {"text/csv": {}}, "description": "One row per student, one column per "
                             "graded item, then the category percentages, the weighted total and late weeks."}})
def gradebook_csv(db: Db, user: CurrentUser, cohort: str | None = None):
    """The gradebook of one cohort (`?cohort=ID`) or of every cohort you teach (admins: all cohorts)."""
    cohort_id = service.parse_cohort_id(cohort)
    cohorts = [service.get_cohort(db, user, cohort_id)] if cohort_id else service.instructor_cohorts(db, user)
    lay = gradebook.layout(db)
    rows = gradebook.grade_rows(db, cohorts, lay) if cohorts else []
    names = gradebook.cohort_names(db, cohorts) if cohorts else ""
    label = f"cohort{cohort_id}" if cohort_id else "all"
    return StreamingResponse(gradebook.csv_chunks(rows, lay, names), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="gradebook-{label}-'
                                                            f'{utcnow().date().isoformat()}.csv"'})


@router.get("/cohorts/{cohort_id}/dashboard", response_model=DashboardOut)
def cohort_dashboard(db: Db, user: CurrentUser, cohort_id: RowId) -> dict:
    """The cohort's numbers, due dates and at-risk students with their reasons."""
    cohort = service.get_cohort(db, user, cohort_id)
    board = service.dashboard(db, cohort, service.Query(per_page=25), at_risk_limit=None)
    return {
        "cohort": {"id": cohort.id, "name": cohort.name, "start_date": cohort.start_date.isoformat()},
        "current_week": board.current_week,
        "numbers": {k: (round(v, 4) if isinstance(v, float) else v) for k, v in board.numbers.items()},
        "due_dates": {str(n): d.isoformat() for n, d in sorted(board.schedule.due.items())},
        "at_risk": [{"user_id": s.user_id, "name": s.name, "email": s.email, "progress": round(s.overall, 4),
                     "weeks_done": s.weeks_done, "expected_weeks": s.expected,
                     "last_activity_at": s.last_activity.isoformat() if s.last_activity else None,
                     "reasons": [{"code": r.code, "text": r.text} for r in s.reasons]} for s in board.at_risk],
    }
