"""figure_day_values, step_day_values, figure_days, figure_dirty_days: the figures and time-limit steps
of days gone by, kept per day

A 30-day figure read every visit of the period from visit_milestones (p99 220-370 ms on 1,000,000
visits); days gone by are now kept per day and group with their durations in order (models.figure_days),
and only the days not kept (today, days a late event changed) are read from visit_milestones. The
compliance with the time limits likewise (models.step_days: 790 ms on 1,000,000 visits, 10 statements),
and the step starts that no index served get one, for the days compliance still reads live.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 15:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


STEP_STARTS = (('ix_visit_milestones_arrived', ['direction', 'vessel_arrived_at'], None),
               ('ix_visit_milestones_inspection_ordered', ['inspection_ordered_at'],
                'inspection_ordered_at IS NOT NULL'),
               ('ix_visit_milestones_repositioned', ['repositioned_at'], 'repositioned_at IS NOT NULL'))


def upgrade() -> None:
    for name, columns, where in STEP_STARTS:
        op.create_index(name, 'visit_milestones', columns, unique=False,
                        postgresql_where=sa.text(where) if where else None,
                        sqlite_where=sa.text(where) if where else None)
    op.create_table(
        'figure_day_values',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('measure', sa.String(length=24), nullable=False),
        sa.Column('direction', sa.String(length=8), nullable=False),
        sa.Column('terminal', sa.String(length=16), nullable=True),
        sa.Column('lane', sa.String(length=24), nullable=False),
        sa.Column('inspected', sa.Boolean(), nullable=False),
        sa.Column('closed', sa.Integer(), nullable=False),
        sa.Column('negative', sa.Integer(), nullable=False),
        sa.Column('missing', sa.Integer(), nullable=False),
        sa.Column('seconds', sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_figure_day_values_measure', 'figure_day_values', ['kind', 'measure', 'direction', 'day'],
                    unique=False)
    op.create_table(
        'step_day_values',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('step', sa.String(length=32), nullable=False),
        sa.Column('direction', sa.String(length=8), nullable=False),
        sa.Column('terminal', sa.String(length=16), nullable=True),
        sa.Column('size', sa.Integer(), nullable=True),
        sa.Column('completed', sa.LargeBinary(), nullable=False),
        sa.Column('open_starts', sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_step_day_values_step', 'step_day_values', ['step', 'day'], unique=False)
    op.create_table(
        'figure_days',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('rolled_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('day'),
    )
    op.create_table(
        'figure_dirty_days',
        sa.Column('day', sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint('day'),
    )


def downgrade() -> None:
    op.drop_table('figure_dirty_days')
    op.drop_table('figure_days')
    op.drop_index('ix_step_day_values_step', table_name='step_day_values')
    op.drop_table('step_day_values')
    op.drop_index('ix_figure_day_values_measure', table_name='figure_day_values')
    op.drop_table('figure_day_values')
    for name, _columns, _where in reversed(STEP_STARTS):
        op.drop_index(name, table_name='visit_milestones')
