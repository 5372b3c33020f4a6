"""hidden seeds of a graded run in their own column, out of the student-facing result

Revision ID: 0009_submission_hidden_seeds
Revises: 0001_initial
"""
import sqlalchemy as sa
from alembic import op

revision = "0009_submission_hidden_seeds"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.add_column(sa.Column("hidden_seeds", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.drop_column("hidden_seeds")
