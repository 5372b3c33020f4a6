"""anonymous grading per lab: graders see pseudonyms until feedback is released

Revision ID: 0011_anonymous_grading
Revises: 0010_regrade_dry_run
"""
import sqlalchemy as sa
from alembic import op

revision = "0011_anonymous_grading"
down_revision = "0010_regrade_dry_run"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lab_review_settings") as batch:
        batch.add_column(sa.Column("anonymous", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("lab_review_settings") as batch:
        batch.drop_column("anonymous")
