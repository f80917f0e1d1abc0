"""staff are people on a channel (channel, external id); outbox rows address other channels

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 17:00:00

Contract step: before multi-worker. ``staff.telegram_id`` is dropped, ``staff.external_id``
made NOT NULL and ``staff.channel`` loses its default in the same release whose code stopped
using them, written when Signaalbot ran as one process: the workers of the release before
cannot run beside it. Cross it with every worker stopped (docs/operations.md, "Upgrades").
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
CONTRACT = True  # see the docstring: crossed with every worker stopped


def upgrade() -> None:
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.String(length=16), nullable=False,
                                      server_default='telegram'))
        batch_op.add_column(sa.Column('external_id', sa.String(length=64), nullable=True))
    op.execute("UPDATE staff SET external_id = CAST(telegram_id AS VARCHAR(64))")
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.alter_column('channel', server_default=None)
        batch_op.alter_column('external_id', existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_constraint('uq_staff_gemeente_code', type_='unique')
        batch_op.drop_index('ix_staff_telegram_id')
        batch_op.drop_column('telegram_id')
        batch_op.create_unique_constraint(batch_op.f('uq_staff_gemeente_code'),
                                          ['gemeente_code', 'channel', 'external_id'])
        batch_op.create_index('ix_staff_channel_external_id', ['channel', 'external_id'],
                              unique=False)
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('address', sa.String(length=64), nullable=True))


def downgrade() -> None:
    """Back to Telegram ids; staff on other channels are dropped."""
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('address')
    op.execute("DELETE FROM staff WHERE channel != 'telegram'")
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.add_column(sa.Column('telegram_id', sa.BigInteger(), nullable=True))
    op.execute("UPDATE staff SET telegram_id = CAST(external_id AS BIGINT)")
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.alter_column('telegram_id', existing_type=sa.BigInteger(), nullable=False)
        batch_op.drop_index('ix_staff_channel_external_id')
        batch_op.drop_constraint('uq_staff_gemeente_code', type_='unique')
        batch_op.drop_column('external_id')
        batch_op.drop_column('channel')
        batch_op.create_unique_constraint(batch_op.f('uq_staff_gemeente_code'),
                                          ['gemeente_code', 'telegram_id'])
        batch_op.create_index(batch_op.f('ix_staff_telegram_id'), ['telegram_id'], unique=False)
