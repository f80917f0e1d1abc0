"""outbox leases: the chats a worker delivers, so N workers share one outbox

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 00:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('outbox_leases',
    sa.Column('chat', sa.String(length=32), nullable=False),
    sa.Column('worker', sa.String(length=255), nullable=False),
    sa.Column('expires_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('chat', name=op.f('pk_outbox_leases'))
    )


def downgrade() -> None:
    op.drop_table('outbox_leases')
