"""The lab API's shapes, and the one typed result of a graded run (DESIGN.md, "Result of a graded run"),
built by the worker, stored with the submission and served by the API, the CLI --json and the pages."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class LabOut(BaseModel):
    id: str
    title: str
    week: int
    device: str
    max_score: float


class SubmissionCreated(BaseModel):
    id: int
    status: str


class ResultStatus(StrEnum):
    """Where a submission stands: the four outcomes of a run, and the states before one."""
    GRADED = "graded"
    ERROR = "error"
    TIMEOUT = "timeout"
    REJECTED = "rejected"
    QUEUED = "queued"
    RUNNING = "running"
    AWAITING_REVIEW = "awaiting_review"


class CheckResult(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str
    points: float
    max_points: float
    passed: bool
    visible: bool
    description: str = ""
    feedback: str = ""
    expected: Any = None  # visible checks only
    got: Any = None
    input: dict[str, Any] | None = None


class Timings(BaseModel):
    """Seconds per phase, and when each phase ended (UTC), from queued to checks done."""
    model_config = ConfigDict(extra="ignore")
    queued_s: float = 0.0
    sandbox_s: float = 0.0
    grade_s: float = 0.0
    queued_at: datetime | None = None
    claimed_at: datetime | None = None
    sandbox_started_at: datetime | None = None
    sandbox_ended_at: datetime | None = None
    checks_ended_at: datetime | None = None


class GradeResult(BaseModel):
    model_config = ConfigDict(extra="ignore")
    submission_id: int | None = None
    lab_id: str
    status: ResultStatus
    score: float | None = None
    max_score: float | None = None
    tests: list[CheckResult] = Field(default_factory=list)
    stdout_tail: str = ""
    stderr_tail: str = ""
    feedback: str | None = None
    timings: Timings = Field(default_factory=Timings)
    live: dict[str, Any] = Field(default_factory=dict)  # output tail and metrics while running (display only)
