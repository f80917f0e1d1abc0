"""workers and group sends: Telegram's limits shared by the workers on one database

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 00:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'workers',
        sa.Column('id', sa.String(length=200), nullable=False),
        sa.Column('beat_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_workers')),
    )
    op.create_table(
        'group_sends',
        sa.Column('chat_id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('sends', sa.JSON().with_variant(
            postgresql.ARRAY(sa.DateTime(timezone=True)), 'postgresql'), nullable=False),
        sa.PrimaryKeyConstraint('chat_id', name=op.f('pk_group_sends')),
    )


def downgrade() -> None:
    op.drop_table('group_sends')
    op.drop_table('workers')
