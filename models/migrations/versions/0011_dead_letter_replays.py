"""dead_letter_replays: the record of dead letters sent to the events topic again

One row per replay of one dead letter (`clearance dlq replay`), named by its position on the dead-letter
topic, with who asked, when, why it had been dead-lettered and where it landed on the events topic. The
unique (position, attempt) keeps two operators from both recording a first replay of the same letter.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 19:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'dead_letter_replays',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('dlq_topic', sa.String(length=249), nullable=False),
        sa.Column('dlq_partition', sa.Integer(), nullable=False),
        sa.Column('dlq_offset', sa.BigInteger(), nullable=False),
        sa.Column('attempt', sa.Integer(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('message_key', sa.String(length=128), nullable=True),
        sa.Column('requested_at', sa.DateTime(), nullable=False),
        sa.Column('requested_by', sa.String(length=64), nullable=False),
        sa.Column('events_topic', sa.String(length=249), nullable=False),
        sa.Column('events_partition', sa.Integer(), nullable=True),
        sa.Column('events_offset', sa.BigInteger(), nullable=True),
        sa.Column('published_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_dead_letter_replays')),
        sa.UniqueConstraint('dlq_topic', 'dlq_partition', 'dlq_offset', 'attempt',
                            name=op.f('uq_dead_letter_replays_position_attempt')),
    )


def downgrade() -> None:
    op.drop_table('dead_letter_replays')
