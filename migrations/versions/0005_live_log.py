"""live output of running submissions

Revision ID: 0005_live_log
Revises: 0001_initial
"""
import sqlalchemy as sa
from alembic import op

revision = "0005_live_log"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.add_column(sa.Column("live", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.drop_column("live")
