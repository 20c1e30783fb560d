"""link_keys: one row per declaration and vessel call, whose row locks replace the global rebuild lock

Every worker's rebuild took one advisory lock (pg_advisory_xact_lock(6346)), so rebuilds ran one at a
time across all workers. Rebuilds now lock only what they share: the rows of the containers they rebuild,
and the link_keys rows of the declarations and vessel calls whose links or declaration-level and vessel
events they store (models.rebuild_locks).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 18:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('link_keys', sa.Column('key', sa.String(length=32), nullable=False),
                    sa.PrimaryKeyConstraint('key'))


def downgrade() -> None:
    op.drop_table('link_keys')
