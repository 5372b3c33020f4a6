"""a student's attempt numbers at a lab are unique (earlier duplicates renumbered in submission order)

Revision ID: 0012_submission_attempt_unique
Revises: 0011_anonymous_grading
"""
import sqlalchemy as sa
from alembic import op

revision = "0012_submission_attempt_unique"
down_revision = "0011_anonymous_grading"
branch_labels = None
depends_on = None


def upgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, user_id, lab_id FROM submissions ORDER BY user_id, lab_id, id"))
    numbers: dict[tuple, int] = {}
    for submission_id, user_id, lab_id in rows.fetchall():
        number = numbers[(user_id, lab_id)] = numbers.get((user_id, lab_id), 0) + 1
        connection.execute(sa.text("UPDATE submissions SET attempt = :n WHERE id = :id AND attempt <> :n"),
                           {"n": number, "id": submission_id})
    with op.batch_alter_table("submissions") as batch:
        batch.create_unique_constraint("uq_submissions_user_lab_attempt", ["user_id", "lab_id", "attempt"])


def downgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.drop_constraint("uq_submissions_user_lab_attempt", type_="unique")
