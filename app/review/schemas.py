from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class OverrideIn(BaseModel):
    score: float
    reason: str = Field(min_length=1, max_length=2000)


class MessageIn(BaseModel):
    message: str = Field(min_length=1, max_length=4000)


class RegradeIn(BaseModel):
    reason: str = Field("", max_length=500)
    cohort_id: int | None = Field(None, ge=1, le=2**31 - 1)  # only this cohort's students


class RegradeApplyIn(BaseModel):
    """The counts of the dry run's report the instructor confirms (a stale confirmation is refused)."""
    up: int = Field(ge=0, le=2**31 - 1)
    down: int = Field(ge=0, le=2**31 - 1)


class ScoreChangeOut(BaseModel):
    kind: str
    old_score: float | None
    new_score: float | None
    actor: str | None
    reason: str
    created_at: datetime


class QueueEntryOut(BaseModel):
    id: int
    submission_id: int
    lab_id: str
    reason: str
    state: str
    detail: str
    student: dict
    assignee: dict | None
    score: float | None
    max_score: float
    created_at: datetime


class ThreadOut(BaseModel):
    id: int
    submission_id: int
    state: str
    created_at: datetime
    resolved_at: datetime | None
    messages: list[dict]
