"""dashboard: pacing, extensions, gradebook settings and exports, progress summaries

Revision ID: 0003_dashboard
Revises: 0001_initial
Create Date: 2026-11-22 07:20:00
"""
from alembic import op
import sqlalchemy as sa
import app.core.db


revision = '0003_dashboard'
down_revision = '0001_initial'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('cohort_pacing',
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('days_per_week', sa.Integer(), nullable=False),
    sa.Column('inactive_days', sa.Integer(), nullable=False),
    sa.Column('behind_weeks', sa.Integer(), nullable=False),
    sa.Column('check_failures', sa.Integer(), nullable=False),
    sa.Column('quiz_failures', sa.Integer(), nullable=False),
    sa.Column('updated_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('cohort_id')
    )
    op.create_table('cohort_due_dates',
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('week_number', sa.Integer(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('cohort_id', 'week_number')
    )
    op.create_table('extensions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('week_number', sa.Integer(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('granted_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['granted_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('cohort_id', 'user_id', 'week_number')
    )
    with op.batch_alter_table('extensions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_extensions_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_extensions_user_id'), ['user_id'], unique=False)

    op.create_table('gradebook_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('weight_checklist', sa.Float(), nullable=False),
    sa.Column('weight_quizzes', sa.Float(), nullable=False),
    sa.Column('weight_labs', sa.Float(), nullable=False),
    sa.Column('weight_capstone', sa.Float(), nullable=False),
    sa.Column('capstone_labs', sa.JSON(), nullable=False),
    sa.Column('updated_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('gradebook_exports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('token', sa.String(length=40), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('gradebook_exports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gradebook_exports_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_gradebook_exports_requested_by_id'), ['requested_by_id'], unique=False)

    op.create_table('lab_progress',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('lab_id', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('best_score', sa.Float(), nullable=True),
    sa.Column('max_score', sa.Float(), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('attempts_to_pass', sa.Integer(), nullable=True),
    sa.Column('first_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('first_pass_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('seconds_to_pass', sa.Float(), nullable=True),
    sa.Column('stuck_check', sa.String(length=120), nullable=True),
    sa.Column('stuck_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['lab_id'], ['labs.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'lab_id')
    )
    op.create_table('lab_check_failures',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('lab_id', sa.String(length=10), nullable=False),
    sa.Column('check_name', sa.String(length=120), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['lab_id'], ['labs.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'lab_id', 'check_name')
    )
    op.create_table('week_progress',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('week_number', sa.Integer(), nullable=False),
    sa.Column('items_done', sa.Integer(), nullable=False),
    sa.Column('items_total', sa.Integer(), nullable=False),
    sa.Column('lab_score', sa.Float(), nullable=False),
    sa.Column('lab_max', sa.Float(), nullable=False),
    sa.Column('labs_done', sa.Float(), nullable=False),
    sa.Column('labs_total', sa.Integer(), nullable=False),
    sa.Column('quiz_score', sa.Float(), nullable=True),
    sa.Column('quiz_max', sa.Float(), nullable=False),
    sa.Column('quiz_passed', sa.Boolean(), nullable=False),
    sa.Column('quiz_attempts', sa.Integer(), nullable=False),
    sa.Column('has_quiz', sa.Boolean(), nullable=False),
    sa.Column('fraction', sa.Float(), nullable=False),
    sa.Column('last_work_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('updated_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'week_number')
    )
    with op.batch_alter_table('week_progress', schema=None) as batch_op:
        batch_op.create_index('ix_week_progress_user_done', ['user_id', 'done_on'], unique=False)

    op.create_table('student_progress',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('overall', sa.Float(), nullable=False),
    sa.Column('weeks_done', sa.Integer(), nullable=False),
    sa.Column('items_done', sa.Integer(), nullable=False),
    sa.Column('lab_attempts', sa.Integer(), nullable=False),
    sa.Column('quiz_attempts', sa.Integer(), nullable=False),
    sa.Column('last_activity_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('stuck_lab', sa.String(length=10), nullable=True),
    sa.Column('stuck_check', sa.String(length=120), nullable=True),
    sa.Column('stuck_count', sa.Integer(), nullable=False),
    sa.Column('quiz_fail_week', sa.Integer(), nullable=True),
    sa.Column('quiz_fail_count', sa.Integer(), nullable=False),
    sa.Column('done_dates', sa.JSON(), nullable=False),
    sa.Column('shape_key', sa.String(length=16), nullable=False),
    sa.Column('updated_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id')
    )


def downgrade() -> None:
    op.drop_table('student_progress')
    with op.batch_alter_table('week_progress', schema=None) as batch_op:
        batch_op.drop_index('ix_week_progress_user_done')
    op.drop_table('week_progress')
    op.drop_table('lab_check_failures')
    op.drop_table('lab_progress')
    with op.batch_alter_table('gradebook_exports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gradebook_exports_requested_by_id'))
        batch_op.drop_index(batch_op.f('ix_gradebook_exports_cohort_id'))
    op.drop_table('gradebook_exports')
    op.drop_table('gradebook_settings')
    with op.batch_alter_table('extensions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_extensions_user_id'))
        batch_op.drop_index(batch_op.f('ix_extensions_cohort_id'))
    op.drop_table('extensions')
    op.drop_table('cohort_due_dates')
    op.drop_table('cohort_pacing')
