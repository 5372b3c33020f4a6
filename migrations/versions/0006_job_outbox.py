"""grading jobs as an outbox: when the task was sent, and the running worker's heartbeat

Revision ID: 0006_job_outbox
Revises: 0001_initial
"""
import sqlalchemy as sa
from alembic import op

revision = "0006_job_outbox"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("grading_jobs") as batch:
        batch.add_column(sa.Column("sent_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("heartbeat_at", sa.DateTime(), nullable=True))
        batch.create_index("ix_grading_jobs_sent_at", ["sent_at"])


def downgrade() -> None:
    with op.batch_alter_table("grading_jobs") as batch:
        batch.drop_index("ix_grading_jobs_sent_at")
        batch.drop_column("heartbeat_at")
        batch.drop_column("sent_at")
