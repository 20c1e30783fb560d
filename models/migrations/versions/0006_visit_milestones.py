"""visit_milestones: each visit's first ACTUAL milestone times, parties, lane and flags (clearance figures)

Written by every rebuild from here on; the upgrade fills it once from the visit states already stored
(container_visits.state), through the same function ingest uses (models.milestones.milestone_row),
keeping only the columns this revision creates.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 13:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

MILESTONES = ('declaration_filed_at', 'declaration_accepted_at', 'vessel_arrived_at', 'discharged_at',
              'gate_in_at', 'arrival_reported_at', 'hold_placed_at', 'inspection_ordered_at',
              'reposition_started_at', 'repositioned_at', 'inspection_completed_at', 'hold_released_at',
              'customs_released_at', 'loaded_at', 'gate_out_at', 'vessel_departed_at', 'declaration_closed_at')
INDEXES = (('ix_visit_milestones_released', ['direction', 'customs_released_at']),
           ('ix_visit_milestones_gate_out', ['direction', 'gate_out_at']),
           ('ix_visit_milestones_loaded', ['direction', 'loaded_at']),
           ('ix_visit_milestones_departed', ['direction', 'vessel_departed_at']))
PARTY_INDEXES = ('terminal', 'enterprise_uscc', 'declarant_uscc')
BACKFILL_CHUNK = 2000


def upgrade() -> None:
    table = op.create_table(
        'visit_milestones',
        sa.Column('container_no', sa.String(length=11), nullable=False),
        sa.Column('visit_key', sa.String(length=48), nullable=False),
        sa.Column('direction', sa.String(length=8), nullable=False),
        sa.Column('terminal', sa.String(length=16), nullable=True),
        sa.Column('enterprise_uscc', sa.String(length=18), nullable=True),
        sa.Column('declarant_uscc', sa.String(length=18), nullable=True),
        sa.Column('lane', sa.String(length=24), nullable=False),
        sa.Column('inspected', sa.Boolean(), nullable=False),
        sa.Column('abnormal_inspection', sa.Boolean(), nullable=False),
        sa.Column('held', sa.Boolean(), nullable=False),
        sa.Column('active_holds', sa.Integer(), nullable=False),
        sa.Column('size', sa.Integer(), nullable=True),
        *(sa.Column(name, sa.DateTime(), nullable=True) for name in MILESTONES),
        sa.ForeignKeyConstraint(['container_no', 'visit_key'],
                                ['container_visits.container_no', 'container_visits.visit_key'],
                                name=op.f('fk_visit_milestones_container_no_container_visits'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('container_no', 'visit_key', name=op.f('pk_visit_milestones')),
    )
    with op.batch_alter_table('visit_milestones', schema=None) as batch_op:
        for name, columns in INDEXES:
            batch_op.create_index(name, columns, unique=False)
        for column in PARTY_INDEXES:
            batch_op.create_index(batch_op.f(f'ix_visit_milestones_{column}'), [column], unique=False)
    _backfill(table)


def _backfill(table: sa.Table) -> None:
    """One row per stored visit, from its state, a chunk of visits at a time (keyset order)."""
    from models.base import UTCDateTime
    from models.milestones import milestone_row

    connection = op.get_bind()
    visits = sa.table('container_visits', sa.column('container_no', sa.String()),
                      sa.column('visit_key', sa.String()), sa.column('state', sa.JSON()))
    # The DateTime columns above hold UTC without a zone, as models.base.UTCDateTime binds them.
    target = sa.Table(table.name, sa.MetaData(),
                      *(sa.Column(c.name, UTCDateTime() if c.name in MILESTONES else c.type) for c in table.c))
    names, last = set(target.c.keys()), ('', '')
    while True:
        chunk = connection.execute(
            sa.select(visits.c.container_no, visits.c.visit_key, visits.c.state)
            .where(sa.tuple_(visits.c.container_no, visits.c.visit_key) > last)
            .order_by(visits.c.container_no, visits.c.visit_key).limit(BACKFILL_CHUNK)).all()
        if not chunk:
            return
        rows = [milestone_row(container_no, state) for container_no, _key, state in chunk]
        connection.execute(sa.insert(target), [{k: v for k, v in row.items() if k in names} for row in rows])
        last = (chunk[-1][0], chunk[-1][1])


def downgrade() -> None:
    with op.batch_alter_table('visit_milestones', schema=None) as batch_op:
        for column in reversed(PARTY_INDEXES):
            batch_op.drop_index(batch_op.f(f'ix_visit_milestones_{column}'))
        for name, _columns in reversed(INDEXES):
            batch_op.drop_index(name)
    op.drop_table('visit_milestones')
