from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, utcnow


class SimilarityRun(Base):
    """A background comparison of the latest submissions of a lab."""

    __tablename__ = "similarity_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    lab_id: Mapped[str] = mapped_column(ForeignKey("labs.id"), index=True)
    state: Mapped[str] = mapped_column(String(12), default="queued")  # queued|running|done|error
    threshold: Mapped[float] = mapped_column(Float, default=0.7)
    compared: Mapped[int] = mapped_column(Integer, default=0)  # submissions compared
    flagged: Mapped[int] = mapped_column(Integer, default=0)
    top_unflagged: Mapped[float | None] = mapped_column(Float, default=None)
    error: Mapped[str] = mapped_column(Text, default="")
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


class SimilarityPair(Base):
    """Two submissions (of different students) whose fingerprints overlap above the run's threshold."""

    __tablename__ = "similarity_pairs"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("similarity_runs.id", ondelete="CASCADE"), index=True)
    lab_id: Mapped[str] = mapped_column(ForeignKey("labs.id"), index=True)
    submission_a_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    submission_b_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    score: Mapped[float] = mapped_column(Float)  # share of the smaller file's fingerprints found in the other
    jaccard: Mapped[float] = mapped_column(Float)
    regions: Mapped[list] = mapped_column(JSON, default=list)  # [[a_first, a_last, b_first, b_last], ...] lines
    status: Mapped[str] = mapped_column(String(12), default="flagged")  # flagged|dismissed|confirmed
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    reviewed_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
