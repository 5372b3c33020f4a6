from __future__ import annotations

from pydantic import BaseModel


class LabOut(BaseModel):
    id: str
    title: str
    week: int
    device: str
    max_score: float


class SubmissionCreated(BaseModel):
    id: int
    status: str
