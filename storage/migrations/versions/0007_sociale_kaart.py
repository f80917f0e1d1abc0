"""the sociale kaart: activities of local organisations per gemeente

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 20:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('activities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('gemeente_code', sa.String(length=6), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('what', sa.String(length=300), nullable=False),
    sa.Column('pc4', sa.Integer(), nullable=True),
    sa.Column('place', sa.String(length=120), nullable=False),
    sa.Column('when', sa.String(length=120), nullable=False),
    sa.Column('contact', sa.String(length=200), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('updated_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['gemeente_code'], ['gemeenten.code'], name=op.f('fk_activities_gemeente_code_gemeenten'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activities')),
    sa.UniqueConstraint('gemeente_code', 'name', name=op.f('uq_activities_gemeente_code'))
    )


def downgrade() -> None:
    op.drop_table('activities')
