"""judging: rounds, criteria, judges, assignments, scores, re-check requests, runs, results, special awards,
notices and objections

Revision ID: j0001
Revises: c0001
Create Date: 2026-11-22 07:28:28.182173

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'j0001'
down_revision = 'c0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('judging_judges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('affiliation_id', sa.Integer(), nullable=True),
    sa.Column('expertise', sa.JSON(), nullable=False),
    sa.Column('conflict_school_ids', sa.JSON(), nullable=False),
    sa.Column('conflict_entry_ids', sa.JSON(), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['affiliation_id'], ['organisations.id'], name=op.f('fk_judging_judges_affiliation_id_organisations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_judging_judges_contest_id_contests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_judging_judges_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_judging_judges')),
    sa.UniqueConstraint('contest_id', 'user_id', name=op.f('uq_judging_judges_contest_id_user_id'))
    )
    with op.batch_alter_table('judging_judges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_judging_judges_contest_id'), ['contest_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_judging_judges_user_id'), ['user_id'], unique=False)

    op.create_table('judging_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('onsite', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('opens_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('judges_per_entry', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=30), nullable=False),
    sa.Column('n_min', sa.Integer(), nullable=False),
    sa.Column('tie_breaks', sa.JSON(), nullable=False),
    sa.Column('advancement', sa.String(length=20), nullable=False),
    sa.Column('advancement_value', sa.Numeric(precision=8, scale=2), nullable=True),
    sa.Column('award_mode', sa.String(length=20), nullable=False),
    sa.Column('award_rule', sa.JSON(), nullable=False),
    sa.Column('results_computed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("advancement IN ('none','top_n','top_percent','threshold')", name=op.f('ck_judging_rounds_advancement')),
    sa.CheckConstraint("award_mode IN ('none','percentage','threshold','manual')", name=op.f('ck_judging_rounds_award_mode')),
    sa.CheckConstraint("status IN ('setup','open','closed')", name=op.f('ck_judging_rounds_status')),
    sa.CheckConstraint('judges_per_entry BETWEEN 1 AND 15', name=op.f('ck_judging_rounds_judges_per_entry')),
    sa.CheckConstraint('n_min >= 3', name=op.f('ck_judging_rounds_n_min')),
    sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_judging_rounds_contest_id_contests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_judging_rounds')),
    sa.UniqueConstraint('contest_id', 'name', name=op.f('uq_judging_rounds_contest_id_name'))
    )
    with op.batch_alter_table('judging_rounds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_judging_rounds_contest_id'), ['contest_id'], unique=False)

    op.create_table('judging_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('mask_names', sa.Boolean(), nullable=False),
    sa.Column('finalised_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_judging_notices_contest_id_contests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['judging_rounds.id'], name=op.f('fk_judging_notices_round_id_judging_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_judging_notices')),
    sa.UniqueConstraint('contest_id', name=op.f('uq_judging_notices_contest_id'))
    )
    op.create_table('judging_round_categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('performance_rule', sa.String(length=10), nullable=False),
    sa.Column('runs', sa.Integer(), nullable=False),
    sa.Column('confirm_runs', sa.Boolean(), nullable=False),
    sa.CheckConstraint("performance_rule IN ('best_of','sum','average')", name=op.f('ck_judging_round_categories_performance_rule')),
    sa.CheckConstraint('runs BETWEEN 1 AND 10', name=op.f('ck_judging_round_categories_runs')),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_judging_round_categories_category_id_categories'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['judging_rounds.id'], name=op.f('fk_judging_round_categories_round_id_judging_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_judging_round_categories')),
    sa.UniqueConstraint('round_id', 'category_id', name=op.f('uq_judging_round_categories_round_id_category_id'))
    )
    with op.batch_alter_table('judging_round_categories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_judging_round_categories_category_id'), ['category_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_judging_round_categories_round_id'), ['round_id'], unique=False)

    op.create_table('judging_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('judge_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('active','declined','removed')", name=op.f('ck_judging_assignments_status')),
    sa.ForeignKeyConstraint(['entry_id'], ['entries.id'], name=op.f('fk_judging_assignments_entry_id_entries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['judge_id'], ['judging_judges.id'], name=op.f('fk_judging_assignments_judge_id_judging_judges'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['judging_rounds.id'], name=op.f('fk_judging_assignments_round_id_judging_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_judging_assignments')),
    sa.UniqueConstraint('round_id', 'entry_id', 'judge_id', name=op.f('uq_judging_assignments_round_id_entry_id_judge_id'))
    )
    with op.batch_alter_table('judging_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_judging_assignments_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_judging_assignments_judge_id'), ['judge_id'], unique=False)
        batch_op.create_index('ix_judging_assignments_round_judge', ['round_id', 'judge_id', 'status'], unique=False)

    op.create_table('judging_criteria',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_category_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('weight', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('maximum', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('step', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint('maximum > 0 AND step > 0 AND weight > 0', name=op.f('ck_judging_criteria_positive')),
    sa.ForeignKeyConstraint(['round_category_id'], ['judging_round_categories.id'], name=op.f('fk_judging_criteria_round_category_id_judging_round_categories'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_judging_criteria')),
    sa.UniqueConstraint('round_category_id', 'name', name=op.f('uq_judging_criteria_round_category_id_name'))
    )
    with op.batch_alter_table('judging_criteria', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_judging_criteria_round_category_id'), ['round_category_id'], unique=False)

    op.create_table('judging_objections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('contact', sa.String(length=200), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('reply', sa.Text(), nullable=False),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('open','accepted','rejected')", name=op.f('ck_judging_objections_status')),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_judging_objections_answered_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['entry_id'], ['entries.id'], name=op.f('fk_judging_objections_entry_id_entries'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['notice_id'], ['judging_notices.id'], name=op.f('fk_judging_objections_notice_id_judging_notices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_judging_objections'))
    )
    with op.batch_alter_table('judging_objections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_judging_objections_notice_id'), ['notice_id'], unique=False)

    op.create_table('judging_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Numeric(precision=12, scale=4), nullable=True),
    sa.Column('rank', sa.Integer(), nullable=True),
    sa.Column('score_count', sa.Integer(), nullable=False),
    sa.Column('explanation', sa.JSON(), nullable=False),
    sa.Column('advanced', sa.Boolean(), nullable=False),
    sa.Column('award', sa.String(length=20), nullable=True),
    sa.Column('award_computed', sa.String(length=20), nullable=True),
    sa.Column('override_reason', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_judging_results_category_id_categories'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entry_id'], ['entries.id'], name=op.f('fk_judging_results_entry_id_entries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['judging_rounds.id'], name=op.f('fk_judging_results_round_id_judging_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_judging_results')),
    sa.UniqueConstraint('round_id', 'entry_id', name=op.f('uq_judging_results_round_id_entry_id'))
    )
    with op.batch_alter_table('judging_results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_judging_results_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index('ix_judging_results_round_category', ['round_id', 'category_id', 'rank'], unique=False)

    op.create_table('judging_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('run_number', sa.Integer(), nullable=False),
    sa.Column('points', sa.Numeric(precision=8, scale=2), nullable=False),
    sa.Column('time_cs', sa.Integer(), nullable=True),
    sa.Column('penalty_seconds', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=4), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('ok','dnf','dq')", name=op.f('ck_judging_runs_status')),
    sa.CheckConstraint('penalty_seconds >= 0 AND run_number >= 1', name=op.f('ck_judging_runs_non_negative')),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_judging_runs_confirmed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['entry_id'], ['entries.id'], name=op.f('fk_judging_runs_entry_id_entries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_judging_runs_recorded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['round_id'], ['judging_rounds.id'], name=op.f('fk_judging_runs_round_id_judging_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_judging_runs')),
    sa.UniqueConstraint('round_id', 'entry_id', 'run_number', name=op.f('uq_judging_runs_round_id_entry_id_run_number'))
    )
    with op.batch_alter_table('judging_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_judging_runs_entry_id'), ['entry_id'], unique=False)

    op.create_table('judging_special_awards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.Column('advisor_id', sa.Integer(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('mayor','best_creativity','outstanding_advisor','outstanding_organiser')", name=op.f('ck_judging_special_awards_kind')),
    sa.CheckConstraint('entry_id IS NOT NULL OR advisor_id IS NOT NULL OR organisation_id IS NOT NULL', name=op.f('ck_judging_special_awards_holder')),
    sa.ForeignKeyConstraint(['advisor_id'], ['advisors.id'], name=op.f('fk_judging_special_awards_advisor_id_advisors'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_judging_special_awards_contest_id_contests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entry_id'], ['entries.id'], name=op.f('fk_judging_special_awards_entry_id_entries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_judging_special_awards_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_judging_special_awards'))
    )
    with op.batch_alter_table('judging_special_awards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_judging_special_awards_contest_id'), ['contest_id'], unique=False)

    op.create_table('judging_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('judge_id', sa.Integer(), nullable=False),
    sa.Column('values', sa.JSON(), nullable=False),
    sa.Column('total', sa.Numeric(precision=8, scale=2), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('submitted', sa.Boolean(), nullable=False),
    sa.Column('imported', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['judging_assignments.id'], name=op.f('fk_judging_scores_assignment_id_judging_assignments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entry_id'], ['entries.id'], name=op.f('fk_judging_scores_entry_id_entries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['judge_id'], ['judging_judges.id'], name=op.f('fk_judging_scores_judge_id_judging_judges'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['judging_rounds.id'], name=op.f('fk_judging_scores_round_id_judging_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_judging_scores')),
    sa.UniqueConstraint('assignment_id', name=op.f('uq_judging_scores_assignment_id'))
    )
    with op.batch_alter_table('judging_scores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_judging_scores_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_judging_scores_judge_id'), ['judge_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_judging_scores_round_id'), ['round_id'], unique=False)
        batch_op.create_index('ix_judging_scores_round_submitted', ['round_id', 'submitted'], unique=False)

    op.create_table('judging_recheck_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('score_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('message', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_judging_recheck_requests_requested_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['score_id'], ['judging_scores.id'], name=op.f('fk_judging_recheck_requests_score_id_judging_scores'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_judging_recheck_requests'))
    )
    with op.batch_alter_table('judging_recheck_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_judging_recheck_requests_score_id'), ['score_id'], unique=False)



def downgrade():
    with op.batch_alter_table('judging_recheck_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_judging_recheck_requests_score_id'))

    op.drop_table('judging_recheck_requests')
    with op.batch_alter_table('judging_scores', schema=None) as batch_op:
        batch_op.drop_index('ix_judging_scores_round_submitted')
        batch_op.drop_index(batch_op.f('ix_judging_scores_round_id'))
        batch_op.drop_index(batch_op.f('ix_judging_scores_judge_id'))
        batch_op.drop_index(batch_op.f('ix_judging_scores_entry_id'))

    op.drop_table('judging_scores')
    with op.batch_alter_table('judging_special_awards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_judging_special_awards_contest_id'))

    op.drop_table('judging_special_awards')
    with op.batch_alter_table('judging_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_judging_runs_entry_id'))

    op.drop_table('judging_runs')
    with op.batch_alter_table('judging_results', schema=None) as batch_op:
        batch_op.drop_index('ix_judging_results_round_category')
        batch_op.drop_index(batch_op.f('ix_judging_results_entry_id'))

    op.drop_table('judging_results')
    with op.batch_alter_table('judging_objections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_judging_objections_notice_id'))

    op.drop_table('judging_objections')
    with op.batch_alter_table('judging_criteria', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_judging_criteria_round_category_id'))

    op.drop_table('judging_criteria')
    with op.batch_alter_table('judging_assignments', schema=None) as batch_op:
        batch_op.drop_index('ix_judging_assignments_round_judge')
        batch_op.drop_index(batch_op.f('ix_judging_assignments_judge_id'))
        batch_op.drop_index(batch_op.f('ix_judging_assignments_entry_id'))

    op.drop_table('judging_assignments')
    with op.batch_alter_table('judging_round_categories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_judging_round_categories_round_id'))
        batch_op.drop_index(batch_op.f('ix_judging_round_categories_category_id'))

    op.drop_table('judging_round_categories')
    op.drop_table('judging_notices')
    with op.batch_alter_table('judging_rounds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_judging_rounds_contest_id'))

    op.drop_table('judging_rounds')
    with op.batch_alter_table('judging_judges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_judging_judges_user_id'))
        batch_op.drop_index(batch_op.f('ix_judging_judges_contest_id'))

    op.drop_table('judging_judges')
