"""events: the publisher joins the primary key — an event's identity is (source, publisher, event_id)

A correction (same identity, newer updated_at) or a retraction now applies only to the same publisher's
own events. Rows stored before keep their values; no two stored rows can collide under the wider key.
The downgrade narrows the key again and fails if two publishers of one source used the same event id
since (that data cannot be kept under the old key).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 12:40:00
"""
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_constraint('pk_events', type_='primary')
        batch_op.create_primary_key('pk_events', ['source', 'publisher', 'event_id'])


def downgrade() -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_constraint('pk_events', type_='primary')
        batch_op.create_primary_key('pk_events', ['source', 'event_id'])
