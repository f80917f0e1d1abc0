"""news opt-ins per gemeente; outbox rows have a priority (news goes last)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.encrypted
import storage.models

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('news_subscriptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('external_hash', sa.String(length=64), nullable=True),
    sa.Column('external_enc', storage.encrypted.EncryptedText(), nullable=True),
    sa.Column('gemeente_code', sa.String(length=6), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('created_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['gemeente_code'], ['gemeenten.code'], name=op.f('fk_news_subscriptions_gemeente_code_gemeenten'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_news_subscriptions_organisation_id_organisations'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_news_subscriptions')),
    sa.UniqueConstraint('channel', 'external_hash', 'gemeente_code', name=op.f('uq_news_subscriptions_channel'))
    )
    op.create_index('ix_news_subscriptions_gemeente', 'news_subscriptions',
                    ['gemeente_code', 'ended_at'], unique=False)
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('priority', sa.SmallInteger(), nullable=False,
                                      server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('priority')
    op.drop_index('ix_news_subscriptions_gemeente', table_name='news_subscriptions')
    op.drop_table('news_subscriptions')
