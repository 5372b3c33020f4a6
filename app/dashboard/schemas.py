"""Response models of the instructor API (GET /api/v1/cohorts/{id}/dashboard)."""
from __future__ import annotations

from pydantic import BaseModel


class CohortRef(BaseModel):
    id: int
    name: str
    start_date: str


class Numbers(BaseModel):
    students: int
    active: int
    on_pace: int
    behind: int
    finished: int
    at_risk: int
    average: float


class Reason(BaseModel):
    code: str  # inactive | behind | stuck | quiz
    text: str


class AtRiskStudent(BaseModel):
    user_id: int
    name: str
    email: str
    progress: float
    weeks_done: int
    expected_weeks: int
    last_activity_at: str | None
    reasons: list[Reason]


class DashboardOut(BaseModel):
    cohort: CohortRef
    current_week: int
    numbers: Numbers
    due_dates: dict[str, str]
    at_risk: list[AtRiskStudent]
