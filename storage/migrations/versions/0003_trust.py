"""outbox as the record of copies; one live alert per signal and chat; blocked chats

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 09:00:00

A signaler's chat id leaves the outbox's clear ``chat_id`` for the encrypted ``recipient``.
That needs the encryption key: the bot and ``signaalbot db upgrade`` run migrations with it.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import storage.crypto
import storage.models

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE_ALERT = "kind = 'alert' AND failed_at IS NULL"
# A number outside its bounds (bot.settings.GEMEENTE_BOUNDS) goes back to its default: an
# infinite retention_days stopped the purge for every gemeente.
GEMEENTE_DEFAULTS = {'escalation_hours': (1, 720, 24), 'silent_days': (1, 365, 5),
                     'retention_days': (1, 3650, 30)}
SIGNALER_KINDS = ("feedback", "question")


def upgrade() -> None:
    for column, (low, high, default) in GEMEENTE_DEFAULTS.items():
        op.execute(f"UPDATE gemeenten SET {column} = {default} "
                   f"WHERE NOT ({column} >= {low} AND {column} <= {high})")
    op.create_table(
        'blocked_chats',
        sa.Column('chat_id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('blocked_at', storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('retry_at', storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('chat_id', name=op.f('pk_blocked_chats')))
    now = datetime.now(UTC)
    blocked = sa.table('blocked_chats', sa.column('chat_id', sa.BigInteger()),
                       sa.column('blocked_at', storage.models.UTCDateTime()),
                       sa.column('retry_at', storage.models.UTCDateTime()),
                       sa.column('failures', sa.Integer()))
    connection = op.get_bind()
    chats = {row[0] for table in ('alert_chats', 'staff') for row in connection.execute(
        sa.text(f"SELECT {'chat_id' if table == 'alert_chats' else 'telegram_id'} FROM {table}"
                " WHERE blocked_at IS NOT NULL"))}
    if chats:
        op.bulk_insert(blocked, [{'chat_id': chat, 'blocked_at': now, 'retry_at': now,
                                  'failures': 1} for chat in sorted(chats)])
    for table in ('alert_chats', 'staff'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('blocked_at')

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.alter_column('chat_id', existing_type=sa.BigInteger(), nullable=True)
        batch_op.add_column(sa.Column('recipient', storage.crypto.EncryptedText(), nullable=True))
        batch_op.add_column(sa.Column('erased_at', storage.models.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.create_index('ix_outbox_signal_id', ['signal_id'], unique=False)
    _seal_signaler_rows(connection)
    # Earlier re-routing could queue an alert twice to one chat: keep the first.
    connection.execute(sa.text(
        "UPDATE outbox SET failed_at = :now, last_error = 'duplicate alert' WHERE "
        f"{LIVE_ALERT} AND id NOT IN (SELECT min(id) FROM outbox WHERE {LIVE_ALERT} "
        "GROUP BY signal_id, chat_id)").bindparams(
            sa.bindparam('now', now, type_=storage.models.UTCDateTime())))
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('uq_outbox_live_alert', ['signal_id', 'chat_id'], unique=True,
                              sqlite_where=sa.text(LIVE_ALERT),
                              postgresql_where=sa.text(LIVE_ALERT))


def _seal_signaler_rows(connection: sa.Connection) -> None:
    """Move signalers' chat ids out of the clear ``chat_id`` into the encrypted ``recipient``.

    Delivered rows already had it erased (0); the others need the key.
    """
    outbox = sa.table('outbox', sa.column('id', sa.Integer()), sa.column('kind', sa.String()),
                      sa.column('chat_id', sa.BigInteger()),
                      sa.column('recipient', storage.crypto.EncryptedText()))
    signaler_rows = sa.and_(outbox.c.kind.in_(SIGNALER_KINDS), outbox.c.chat_id.is_not(None))
    connection.execute(sa.update(outbox).where(signaler_rows, outbox.c.chat_id == 0)
                       .values(chat_id=None))
    rows = connection.execute(sa.select(outbox.c.id, outbox.c.chat_id).where(signaler_rows)).all()
    if rows and getattr(connection.dialect, 'signaalbot_keyring', None) is None:
        raise RuntimeError("the outbox holds messages to signalers: run this migration with "
                           "the encryption key set (signaalbot db upgrade, or start the bot)")
    for outbox_id, chat_id in rows:
        connection.execute(sa.update(outbox).where(outbox.c.id == outbox_id)
                           .values(chat_id=None, recipient=str(chat_id)))


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('uq_outbox_live_alert', sqlite_where=sa.text(LIVE_ALERT),
                            postgresql_where=sa.text(LIVE_ALERT))
        batch_op.drop_index('ix_outbox_signal_id')
        batch_op.drop_column('erased_at')
        batch_op.drop_column('recipient')
    for table in ('alert_chats', 'staff'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('blocked_at', storage.models.UTCDateTime(timezone=True),
                                          nullable=True))
    op.drop_table('blocked_chats')
