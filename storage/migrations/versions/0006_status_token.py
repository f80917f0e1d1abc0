"""signals keep the hash of a web signaler's status link token

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 18:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('signals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_token_hash', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint('uq_signals_status_token_hash', ['status_token_hash'])


def downgrade() -> None:
    with op.batch_alter_table('signals', schema=None) as batch_op:
        batch_op.drop_constraint('uq_signals_status_token_hash', type_='unique')
        batch_op.drop_column('status_token_hash')
