"""events and container state

Revision ID: 0001
Revises: 
Create Date: 2026-11-27 00:48:37.494407
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    
    op.create_table('containers',
    sa.Column('container_no', sa.String(length=11), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('state_hash', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('container_no', name=op.f('pk_containers'))
    )
    op.create_table('declaration_containers',
    sa.Column('declaration_no', sa.String(length=18), nullable=False),
    sa.Column('container_no', sa.String(length=11), nullable=False),
    sa.PrimaryKeyConstraint('declaration_no', 'container_no', name=op.f('pk_declaration_containers'))
    )
    with op.batch_alter_table('declaration_containers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_declaration_containers_container_no'), ['container_no'], unique=False)

    op.create_table('events',
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('event_id', sa.String(length=64), nullable=False),
    sa.Column('version', sa.String(length=48), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.Column('classifier', sa.String(length=16), nullable=False),
    sa.Column('direction', sa.String(length=8), nullable=False),
    sa.Column('publisher', sa.String(length=32), nullable=False),
    sa.Column('container_no', sa.String(length=11), nullable=True),
    sa.Column('containers', sa.JSON(), nullable=True),
    sa.Column('declaration_no', sa.String(length=18), nullable=True),
    sa.Column('bl_no', sa.String(length=41), nullable=True),
    sa.Column('vessel_imo', sa.String(length=7), nullable=True),
    sa.Column('voyage', sa.String(length=16), nullable=True),
    sa.Column('terminal', sa.String(length=16), nullable=True),
    sa.Column('port', sa.String(length=5), nullable=False),
    sa.Column('enterprise_uscc', sa.String(length=18), nullable=True),
    sa.Column('declarant_uscc', sa.String(length=18), nullable=True),
    sa.Column('customs_code', sa.String(length=8), nullable=True),
    sa.Column('retracts', sa.String(length=64), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=True),
    sa.Column('warnings', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('source', 'event_id', name=op.f('pk_events'))
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_events_container_no'), ['container_no'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_declaration_no'), ['declaration_no'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_retracts'), ['retracts'], unique=False)
        batch_op.create_index('ix_events_voyage', ['vessel_imo', 'voyage'], unique=False)

    op.create_table('voyage_containers',
    sa.Column('vessel_imo', sa.String(length=7), nullable=False),
    sa.Column('voyage', sa.String(length=16), nullable=False),
    sa.Column('container_no', sa.String(length=11), nullable=False),
    sa.PrimaryKeyConstraint('vessel_imo', 'voyage', 'container_no', name=op.f('pk_voyage_containers'))
    )
    with op.batch_alter_table('voyage_containers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_voyage_containers_container_no'), ['container_no'], unique=False)

    op.create_table('container_visits',
    sa.Column('container_no', sa.String(length=11), nullable=False),
    sa.Column('visit_key', sa.String(length=48), nullable=False),
    sa.Column('direction', sa.String(length=8), nullable=False),
    sa.Column('vessel_imo', sa.String(length=7), nullable=True),
    sa.Column('voyage', sa.String(length=16), nullable=True),
    sa.Column('terminal', sa.String(length=16), nullable=True),
    sa.Column('enterprise_uscc', sa.String(length=18), nullable=True),
    sa.Column('declarant_uscc', sa.String(length=18), nullable=True),
    sa.Column('current_type', sa.String(length=32), nullable=True),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('last_event_at', sa.DateTime(), nullable=True),
    sa.Column('state', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['container_no'], ['containers.container_no'], name=op.f('fk_container_visits_container_no_containers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('container_no', 'visit_key', name=op.f('pk_container_visits'))
    )
    with op.batch_alter_table('container_visits', schema=None) as batch_op:
        batch_op.create_index('ix_container_visits_current', ['current_type', 'direction'], unique=False)
        batch_op.create_index(batch_op.f('ix_container_visits_declarant_uscc'), ['declarant_uscc'], unique=False)
        batch_op.create_index(batch_op.f('ix_container_visits_enterprise_uscc'), ['enterprise_uscc'], unique=False)
        batch_op.create_index(batch_op.f('ix_container_visits_terminal'), ['terminal'], unique=False)




def downgrade() -> None:
    
    with op.batch_alter_table('container_visits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_container_visits_terminal'))
        batch_op.drop_index(batch_op.f('ix_container_visits_enterprise_uscc'))
        batch_op.drop_index(batch_op.f('ix_container_visits_declarant_uscc'))
        batch_op.drop_index('ix_container_visits_current')

    op.drop_table('container_visits')
    with op.batch_alter_table('voyage_containers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_voyage_containers_container_no'))

    op.drop_table('voyage_containers')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_voyage')
        batch_op.drop_index(batch_op.f('ix_events_retracts'))
        batch_op.drop_index(batch_op.f('ix_events_declaration_no'))
        batch_op.drop_index(batch_op.f('ix_events_container_no'))

    op.drop_table('events')
    with op.batch_alter_table('declaration_containers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_declaration_containers_container_no'))

    op.drop_table('declaration_containers')
    op.drop_table('containers')

