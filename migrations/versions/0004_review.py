"""grader workflow: score audit trail, review queue, feedback holds, rubrics, regrade requests and runs,
similarity checks, notifications

Revision ID: 0004_review
Revises: 0001_initial
"""
from alembic import op
import sqlalchemy as sa
import app.core.db


revision = '0004_review'
down_revision = '0001_initial'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=300), nullable=False),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('read_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_user_read', ['user_id', 'read_at'], unique=False)

    op.create_table('lab_review_settings',
    sa.Column('lab_id', sa.String(length=10), nullable=False),
    sa.Column('hold_feedback', sa.Boolean(), nullable=False),
    sa.Column('updated_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['lab_id'], ['labs.id'], ),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('lab_id')
    )
    op.create_table('regrade_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lab_id', sa.String(length=10), nullable=False),
    sa.Column('scope', sa.String(length=12), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('lab_hash', sa.String(length=64), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('started_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['lab_id'], ['labs.id'], ),
    sa.ForeignKeyConstraint(['started_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('regrade_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_regrade_runs_lab_id'), ['lab_id'], unique=False)

    op.create_table('rubric_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lab_id', sa.String(length=10), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('points', sa.Float(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['lab_id'], ['labs.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('rubric_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rubric_items_lab_id'), ['lab_id'], unique=False)

    op.create_table('saved_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lab_id', sa.String(length=10), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['lab_id'], ['labs.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('saved_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saved_comments_lab_id'), ['lab_id'], unique=False)

    op.create_table('similarity_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lab_id', sa.String(length=10), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('threshold', sa.Float(), nullable=False),
    sa.Column('compared', sa.Integer(), nullable=False),
    sa.Column('flagged', sa.Integer(), nullable=False),
    sa.Column('top_unflagged', sa.Float(), nullable=True),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('started_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('started_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['lab_id'], ['labs.id'], ),
    sa.ForeignKeyConstraint(['started_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('similarity_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_similarity_runs_lab_id'), ['lab_id'], unique=False)

    op.create_table('regrade_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('claim_token', sa.String(length=40), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('deadline_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('old_score', sa.Float(), nullable=True),
    sa.Column('old_status', sa.String(length=16), nullable=True),
    sa.Column('new_score', sa.Float(), nullable=True),
    sa.Column('new_status', sa.String(length=16), nullable=True),
    sa.Column('final_score', sa.Float(), nullable=True),
    sa.Column('kept_override', sa.Boolean(), nullable=False),
    sa.Column('changed_checks', sa.JSON(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('finished_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['run_id'], ['regrade_runs.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('regrade_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_regrade_items_run_id'), ['run_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_regrade_items_submission_id'), ['submission_id'], unique=False)

    op.create_table('regrade_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['student_id'], ['users.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('regrade_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_regrade_requests_student_id'), ['student_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_regrade_requests_submission_id'), ['submission_id'], unique=False)

    op.create_table('rubric_marks',
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('rubric_item_id', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['rubric_item_id'], ['rubric_items.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('submission_id', 'rubric_item_id')
    )
    op.create_table('score_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('old_score', sa.Float(), nullable=True),
    sa.Column('new_score', sa.Float(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('score_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_score_changes_submission_id'), ['submission_id'], unique=False)

    op.create_table('similarity_pairs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('lab_id', sa.String(length=10), nullable=False),
    sa.Column('submission_a_id', sa.Integer(), nullable=False),
    sa.Column('submission_b_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('jaccard', sa.Float(), nullable=False),
    sa.Column('regions', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['lab_id'], ['labs.id'], ),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['run_id'], ['similarity_runs.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submission_a_id'], ['submissions.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submission_b_id'], ['submissions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('similarity_pairs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_similarity_pairs_lab_id'), ['lab_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_similarity_pairs_run_id'), ['run_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_similarity_pairs_submission_a_id'), ['submission_a_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_similarity_pairs_submission_b_id'), ['submission_b_id'], unique=False)

    op.create_table('submission_reviews',
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('held', sa.Boolean(), nullable=False),
    sa.Column('held_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('released_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('released_by_id', sa.Integer(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('updated_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['released_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('submission_id')
    )
    op.create_table('regrade_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['request_id'], ['regrade_requests.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('regrade_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_regrade_messages_request_id'), ['request_id'], unique=False)

    op.create_table('review_queue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('lab_id', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('regrade_request_id', sa.Integer(), nullable=True),
    sa.Column('similarity_pair_id', sa.Integer(), nullable=True),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('created_at', app.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('assigned_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', app.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('resolution', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['lab_id'], ['labs.id'], ),
    sa.ForeignKeyConstraint(['regrade_request_id'], ['regrade_requests.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['similarity_pair_id'], ['similarity_pairs.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('review_queue', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_queue_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_queue_lab_id'), ['lab_id'], unique=False)
        batch_op.create_index('ix_review_queue_state_created', ['state', 'created_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_queue_submission_id'), ['submission_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('review_queue', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_queue_submission_id'))
        batch_op.drop_index('ix_review_queue_state_created')
        batch_op.drop_index(batch_op.f('ix_review_queue_lab_id'))
        batch_op.drop_index(batch_op.f('ix_review_queue_assignee_id'))

    op.drop_table('review_queue')
    with op.batch_alter_table('regrade_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_regrade_messages_request_id'))

    op.drop_table('regrade_messages')
    op.drop_table('submission_reviews')
    with op.batch_alter_table('similarity_pairs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_similarity_pairs_submission_b_id'))
        batch_op.drop_index(batch_op.f('ix_similarity_pairs_submission_a_id'))
        batch_op.drop_index(batch_op.f('ix_similarity_pairs_run_id'))
        batch_op.drop_index(batch_op.f('ix_similarity_pairs_lab_id'))

    op.drop_table('similarity_pairs')
    with op.batch_alter_table('score_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_score_changes_submission_id'))

    op.drop_table('score_changes')
    op.drop_table('rubric_marks')
    with op.batch_alter_table('regrade_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_regrade_requests_submission_id'))
        batch_op.drop_index(batch_op.f('ix_regrade_requests_student_id'))

    op.drop_table('regrade_requests')
    with op.batch_alter_table('regrade_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_regrade_items_submission_id'))
        batch_op.drop_index(batch_op.f('ix_regrade_items_run_id'))

    op.drop_table('regrade_items')
    with op.batch_alter_table('similarity_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_similarity_runs_lab_id'))

    op.drop_table('similarity_runs')
    with op.batch_alter_table('saved_comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saved_comments_lab_id'))

    op.drop_table('saved_comments')
    with op.batch_alter_table('rubric_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rubric_items_lab_id'))

    op.drop_table('rubric_items')
    with op.batch_alter_table('regrade_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_regrade_runs_lab_id'))

    op.drop_table('regrade_runs')
    op.drop_table('lab_review_settings')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_user_read')

    op.drop_table('notifications')
