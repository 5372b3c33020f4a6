"""quiz code answers graded by the workers: one grading job (an outbox row) per code answer

Revision ID: 0008_quiz_grading_jobs
Revises: 0002_quizzes
"""
import sqlalchemy as sa
from alembic import op

import app.core.db

revision = "0008_quiz_grading_jobs"
down_revision = "0002_quizzes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quiz_grading_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(length=60), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claim_token", sa.String(length=40), nullable=True),
        sa.Column("worker", sa.String(length=200), nullable=True),
        sa.Column("enqueued_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", app.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", app.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("claimed_at", app.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("deadline_at", app.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", app.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["attempt_id"], ["quiz_attempts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["question_id"], ["quiz_questions.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("attempt_id", "question_id", name="uq_quiz_grading_jobs_answer"),
    )
    with op.batch_alter_table("quiz_grading_jobs") as batch:
        batch.create_index(batch.f("ix_quiz_grading_jobs_attempt_id"), ["attempt_id"], unique=False)
        batch.create_index(batch.f("ix_quiz_grading_jobs_state"), ["state"], unique=False)
        batch.create_index(batch.f("ix_quiz_grading_jobs_sent_at"), ["sent_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("quiz_grading_jobs") as batch:
        batch.drop_index(batch.f("ix_quiz_grading_jobs_sent_at"))
        batch.drop_index(batch.f("ix_quiz_grading_jobs_state"))
        batch.drop_index(batch.f("ix_quiz_grading_jobs_attempt_id"))
    op.drop_table("quiz_grading_jobs")
