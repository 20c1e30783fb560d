"""publish_audit: who published what through the portal; events indexed by publisher and time (feed health)

One audit row per event of a publishing request (accepted or rejected, with the reasons). The index
on events (source, publisher, occurred_at) lets GET /api/v1/feeds find each publisher's newest events
and count its last hour without reading the whole table.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'publish_audit',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('principal', sa.String(length=128), nullable=False),
        sa.Column('binding', sa.String(length=18), nullable=True),
        sa.Column('credential', sa.String(length=8), nullable=False),
        sa.Column('channel', sa.String(length=8), nullable=False),
        sa.Column('request_id', sa.String(length=16), nullable=False),
        sa.Column('row_index', sa.Integer(), nullable=False),
        sa.Column('outcome', sa.String(length=8), nullable=False),
        sa.Column('source', sa.String(length=16), nullable=True),
        sa.Column('publisher', sa.String(length=32), nullable=True),
        sa.Column('event_id', sa.String(length=64), nullable=True),
        sa.Column('type', sa.String(length=32), nullable=True),
        sa.Column('container_no', sa.String(length=11), nullable=True),
        sa.Column('reasons', sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_publish_audit_user_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_publish_audit')),
    )
    with op.batch_alter_table('publish_audit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_publish_audit_at'), ['at'], unique=False)
        batch_op.create_index('ix_publish_audit_binding_at', ['binding', 'at'], unique=False)
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index('ix_events_publisher_occurred_at', ['source', 'publisher', 'occurred_at'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_publisher_occurred_at')
    with op.batch_alter_table('publish_audit', schema=None) as batch_op:
        batch_op.drop_index('ix_publish_audit_binding_at')
        batch_op.drop_index(batch_op.f('ix_publish_audit_at'))
    op.drop_table('publish_audit')
