"""Charters: charters, charter_vehicles, itinerary_stops, dot_regulations; vehicle_types gains
luggage_capacity and default_hourly_rate (the DOT rules are seeded by `coachway migrate`, see core/migrate.py)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 15:25:49.875868
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('dot_regulations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('regulation_name', sa.String(length=100), nullable=False),
    sa.Column('regulation_type', sa.String(length=50), nullable=True),
    sa.Column('threshold_value', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('threshold_unit', sa.String(length=20), nullable=True),
    sa.Column('requires_second_driver', sa.Boolean(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dot_regulations')),
    sa.UniqueConstraint('regulation_name', name=op.f('uq_dot_regulations_regulation_name'))
    )
    op.create_table('charters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('hub_id', sa.Integer(), nullable=False),
    sa.Column('assigned_sales_agent_id', sa.Integer(), nullable=True),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('assigned_by', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('trip_type', sa.String(length=50), nullable=False),
    sa.Column('passenger_count', sa.Integer(), nullable=False),
    sa.Column('luggage_pieces', sa.Integer(), nullable=False),
    sa.Column('trip_date', sa.Date(), nullable=False),
    sa.Column('pickup_time', sa.Time(), nullable=True),
    sa.Column('start_datetime', sa.DateTime(timezone=True), nullable=True),
    sa.Column('end_datetime', sa.DateTime(timezone=True), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('internal_notes', sa.Text(), nullable=True),
    sa.Column('requires_second_driver', sa.Boolean(), nullable=False),
    sa.Column('vehicle_count', sa.Integer(), nullable=False),
    sa.Column('revision_number', sa.Integer(), nullable=False),
    sa.Column('parent_quote_id', sa.Integer(), nullable=True),
    sa.Column('quote_secure_token', sa.String(length=255), nullable=True),
    sa.Column('cancellation_date', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancellation_reason', sa.Text(), nullable=True),
    sa.Column('cancellation_fee', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('cancellation_fee_paid', sa.Boolean(), nullable=False),
    sa.Column('cancelled_by', sa.Integer(), nullable=True),
    sa.Column('total_miles', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('deadhead_miles', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('total_hours', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('dot_result', sa.JSON(), nullable=True),
    sa.Column('booked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assigned_by'], ['users.id'], name=op.f('fk_charters_assigned_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['assigned_sales_agent_id'], ['users.id'], name=op.f('fk_charters_assigned_sales_agent_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['cancelled_by'], ['users.id'], name=op.f('fk_charters_cancelled_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_charters_client_id_clients')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_charters_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['hub_id'], ['hubs.id'], name=op.f('fk_charters_hub_id_hubs')),
    sa.ForeignKeyConstraint(['parent_quote_id'], ['charters.id'], name=op.f('fk_charters_parent_quote_id_charters'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_charters')),
    sa.UniqueConstraint('quote_secure_token', name=op.f('uq_charters_quote_secure_token'))
    )
    with op.batch_alter_table('charters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_charters_assigned_sales_agent_id'), ['assigned_sales_agent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_charters_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_charters_hub_id'), ['hub_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_charters_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_charters_trip_date'), ['trip_date'], unique=False)

    op.create_table('charter_vehicles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('charter_id', sa.Integer(), nullable=False),
    sa.Column('vehicle_type_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('vehicle_id', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('quantity >= 1', name=op.f('ck_charter_vehicles_quantity_positive')),
    sa.ForeignKeyConstraint(['charter_id'], ['charters.id'], name=op.f('fk_charter_vehicles_charter_id_charters'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['vehicle_id'], ['vehicles.id'], name=op.f('fk_charter_vehicles_vehicle_id_vehicles'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['vehicle_type_id'], ['vehicle_types.id'], name=op.f('fk_charter_vehicles_vehicle_type_id_vehicle_types')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_charter_vehicles'))
    )
    with op.batch_alter_table('charter_vehicles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_charter_vehicles_charter_id'), ['charter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_charter_vehicles_vehicle_id'), ['vehicle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_charter_vehicles_vehicle_type_id'), ['vehicle_type_id'], unique=False)

    op.create_table('itinerary_stops',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('charter_id', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('stop_type', sa.String(length=20), nullable=False),
    sa.Column('location_name', sa.String(length=200), nullable=True),
    sa.Column('address', sa.String(length=500), nullable=True),
    sa.Column('latitude', sa.Numeric(precision=10, scale=7), nullable=True),
    sa.Column('longitude', sa.Numeric(precision=10, scale=7), nullable=True),
    sa.Column('geocoded_address', sa.Text(), nullable=True),
    sa.Column('geocode_status', sa.String(length=20), nullable=False),
    sa.Column('geocode_error', sa.Text(), nullable=True),
    sa.Column('dwell_minutes', sa.Integer(), nullable=False),
    sa.Column('scheduled_time', sa.DateTime(timezone=True), nullable=True),
    sa.Column('estimated_arrival', sa.DateTime(timezone=True), nullable=True),
    sa.Column('estimated_departure', sa.DateTime(timezone=True), nullable=True),
    sa.Column('actual_arrival', sa.DateTime(timezone=True), nullable=True),
    sa.Column('actual_departure', sa.DateTime(timezone=True), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['charter_id'], ['charters.id'], name=op.f('fk_itinerary_stops_charter_id_charters'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_itinerary_stops')),
    sa.UniqueConstraint('charter_id', 'sequence', name=op.f('uq_itinerary_stops_charter_id'))
    )
    with op.batch_alter_table('vehicle_types', schema=None) as batch_op:
        batch_op.add_column(sa.Column('luggage_capacity', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('default_hourly_rate', sa.Numeric(precision=12, scale=2), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('vehicle_types', schema=None) as batch_op:
        batch_op.drop_column('default_hourly_rate')
        batch_op.drop_column('luggage_capacity')

    op.drop_table('itinerary_stops')
    with op.batch_alter_table('charter_vehicles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_charter_vehicles_vehicle_type_id'))
        batch_op.drop_index(batch_op.f('ix_charter_vehicles_vehicle_id'))
        batch_op.drop_index(batch_op.f('ix_charter_vehicles_charter_id'))

    op.drop_table('charter_vehicles')
    with op.batch_alter_table('charters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_charters_trip_date'))
        batch_op.drop_index(batch_op.f('ix_charters_status'))
        batch_op.drop_index(batch_op.f('ix_charters_hub_id'))
        batch_op.drop_index(batch_op.f('ix_charters_client_id'))
        batch_op.drop_index(batch_op.f('ix_charters_assigned_sales_agent_id'))

    op.drop_table('charters')
    op.drop_table('dot_regulations')
