"""regrade-all is a dry run first (results kept per item), scoped by cohort, applied by an instructor

Revision ID: 0010_regrade_dry_run
Revises: 0004_review
"""
import sqlalchemy as sa
from alembic import op

import app.core.db

revision = "0010_regrade_dry_run"
down_revision = "0004_review"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("regrade_runs") as batch:
        batch.add_column(sa.Column("dry_run", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("cohort_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("applied_at", app.core.db.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("applied_by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_regrade_runs_cohort", "cohorts", ["cohort_id"], ["id"], ondelete="SET NULL")
        batch.create_foreign_key("fk_regrade_runs_applied_by", "users", ["applied_by_id"], ["id"],
                                 ondelete="SET NULL")
    with op.batch_alter_table("regrade_items") as batch:
        batch.add_column(sa.Column("result", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("applied", sa.String(length=12), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("regrade_items") as batch:
        batch.drop_column("applied")
        batch.drop_column("result")
    with op.batch_alter_table("regrade_runs") as batch:
        batch.drop_constraint("fk_regrade_runs_applied_by", type_="foreignkey")
        batch.drop_constraint("fk_regrade_runs_cohort", type_="foreignkey")
        batch.drop_column("applied_by_id")
        batch.drop_column("applied_at")
        batch.drop_column("cohort_id")
        batch.drop_column("dry_run")
