"""Statuses of submissions and grading jobs (stored as their string values)."""
from __future__ import annotations

from enum import StrEnum


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"


class SubmissionStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    GRADED = "graded"
    ERROR = "error"
    TIMEOUT = "timeout"
    REJECTED = "rejected"
