"""time limits and overdue alerts: alert_rules (seeded with the defaults), alert_rule_changes (audit),
alerts; partial indexes on visit_milestones for each step's open visits

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 14:00:00
"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

# (step, direction or None, start, ends): the default steps (models.time_limits.DEFAULT_STEPS) as they were
# at this revision; each gets an index of its open visits, the range the watcher scans.
OPEN_STEPS = (
    ('reposition', None, 'inspection_ordered_at', ('repositioned_at', 'inspection_completed_at')),
    ('inspection', None, 'repositioned_at', ('inspection_completed_at',)),
    ('import_release', 'IMPORT', 'vessel_arrived_at', ('customs_released_at',)),
    ('import_pickup', 'IMPORT', 'customs_released_at', ('gate_out_at',)),
    ('export_loading', 'EXPORT', 'vessel_departed_at', ('loaded_at',)),
    ('gate_out_unreleased', 'IMPORT', 'gate_out_at', ('customs_released_at',)),
    ('loaded_unreleased', 'EXPORT', 'loaded_at', ('customs_released_at',)),
)


def open_step_index(step, direction, start, ends):
    where = sa.text(' AND '.join(f'{end} IS NULL' for end in ends))
    columns = (['direction'] if direction else []) + [start]
    return f'ix_visit_milestones_open_{step}', columns, where


def upgrade() -> None:
    rules = op.create_table(
        'alert_rules',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('step', sa.String(length=32), nullable=False),
        sa.Column('terminal', sa.String(length=16), nullable=True),
        sa.Column('size', sa.Integer(), nullable=True),
        sa.Column('warning_seconds', sa.Integer(), nullable=True),
        sa.Column('alarm_seconds', sa.Integer(), nullable=False),
        sa.Column('commitment_percent', sa.Float(), nullable=True),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_rules')),
    )
    op.create_index('uq_alert_rules_step_terminal_size', 'alert_rules',
                    ['step', sa.text("coalesce(terminal, '')"), sa.text('coalesce(size, 0)')], unique=True)
    op.create_table(
        'alert_rule_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('rule_id', sa.Integer(), nullable=False),
        sa.Column('changed_at', sa.DateTime(), nullable=False),
        sa.Column('changed_by', sa.String(length=64), nullable=False),
        sa.Column('changed_by_user_id', sa.Integer(), nullable=False),
        sa.Column('action', sa.String(length=8), nullable=False),
        sa.Column('old', sa.JSON(), nullable=True),
        sa.Column('new', sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_rule_changes')),
    )
    op.create_index(op.f('ix_alert_rule_changes_rule_id'), 'alert_rule_changes', ['rule_id'], unique=False)
    _create_alerts()
    for step in OPEN_STEPS:
        name, columns, where = open_step_index(*step)
        op.create_index(name, 'visit_milestones', columns, unique=False, postgresql_where=where,
                        sqlite_where=where)
    _seed(rules)


def _create_alerts() -> None:
    op.create_table(
        'alerts',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('container_no', sa.String(length=11), nullable=False),
        sa.Column('visit_key', sa.String(length=48), nullable=False),
        sa.Column('step', sa.String(length=32), nullable=False),
        sa.Column('tier', sa.String(length=8), nullable=False),
        sa.Column('rule_id', sa.Integer(), nullable=False),
        sa.Column('threshold_seconds', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=False),
        sa.Column('raised_at', sa.DateTime(), nullable=False),
        sa.Column('acknowledged_at', sa.DateTime(), nullable=True),
        sa.Column('acknowledged_by', sa.String(length=64), nullable=True),
        sa.Column('acknowledged_by_user_id', sa.Integer(), nullable=True),
        sa.Column('acknowledge_reason', sa.String(length=500), nullable=True),
        sa.Column('cleared_at', sa.DateTime(), nullable=True),
        sa.Column('cleared_reason', sa.String(length=16), nullable=True),
        sa.Column('completed_at', sa.DateTime(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('pushed', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_alerts')),
        sa.UniqueConstraint('container_no', 'visit_key', 'step', 'tier', name=op.f('uq_alerts_container_no')),
    )
    op.create_index('ix_alerts_state_raised_at', 'alerts', ['state', 'raised_at'], unique=False)
    op.create_index('ix_alerts_tier_raised_at', 'alerts', ['tier', 'raised_at'], unique=False)
    op.create_index('ix_alerts_rule_id', 'alerts', ['rule_id'], unique=False)
    not_cleared = sa.text("state <> 'CLEARED'")
    op.create_index('ix_alerts_open_step', 'alerts', ['step'], unique=False, postgresql_where=not_cleared,
                    sqlite_where=not_cleared)
    unpushed = sa.text('NOT pushed')
    op.create_index('ix_alerts_unpushed', 'alerts', ['id'], unique=False, postgresql_where=unpushed,
                    sqlite_where=unpushed)


def _seed(rules: sa.Table) -> None:
    """The default rules, through the table the code seeds from (models.time_limits.DEFAULT_RULES), keeping
    only the columns this revision creates."""
    from models.alert_rules import default_rule_rows
    from models.base import UTCDateTime

    target = sa.Table(rules.name, sa.MetaData(),
                      *(sa.Column(c.name, UTCDateTime() if c.name == 'updated_at' else c.type) for c in rules.c))
    names = set(target.c.keys())
    rows = default_rule_rows(datetime.now(timezone.utc))
    op.get_bind().execute(sa.insert(target), [{k: v for k, v in row.items() if k in names} for row in rows])


def downgrade() -> None:
    for step in reversed(OPEN_STEPS):
        name, _columns, _where = open_step_index(*step)
        op.drop_index(name, table_name='visit_milestones')
    for name in ('ix_alerts_unpushed', 'ix_alerts_open_step', 'ix_alerts_rule_id', 'ix_alerts_tier_raised_at',
                 'ix_alerts_state_raised_at'):
        op.drop_index(name, table_name='alerts')
    op.drop_table('alerts')
    op.drop_index(op.f('ix_alert_rule_changes_rule_id'), table_name='alert_rule_changes')
    op.drop_table('alert_rule_changes')
    op.drop_index('uq_alert_rules_step_terminal_size', table_name='alert_rules')
    op.drop_table('alert_rules')
