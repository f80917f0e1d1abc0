"""outbox as the record of copies; one live alert per signal and chat; blocked chats; every
encrypted value bound to its row

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 09:00:00

A signaler's chat id leaves the outbox's clear ``chat_id`` for the encrypted ``recipient``,
and every encrypted value is rewritten bound to its row. That needs the encryption key: the
bot and ``signaalbot db upgrade`` run migrations with it.

Contract step: before multi-worker. ``alert_chats.blocked_at`` and ``staff.blocked_at`` are
dropped (moved to ``blocked_chats``) and every encrypted value is rewritten bound to its row
in the same release whose code stopped using them, written when Signaalbot ran as one process:
the workers of the release before cannot run beside it. Cross it with every worker stopped
(docs/operations.md, "Upgrades").
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import storage.crypto
import storage.encrypted
import storage.models

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
CONTRACT = True  # see the docstring: crossed with every worker stopped

LIVE_ALERT = "kind = 'alert' AND failed_at IS NULL"
# A number outside its bounds (bot.settings.GEMEENTE_BOUNDS) goes back to its default: an
# infinite retention_days stopped the purge for every gemeente.
GEMEENTE_DEFAULTS = {'escalation_hours': (1, 720, 24), 'silent_days': (1, 365, 5),
                     'retention_days': (1, 3650, 30)}
SIGNALER_KINDS = ("feedback", "question")


def upgrade() -> None:
    connection = op.get_bind()
    encrypted = [f"SELECT 1 FROM {name} WHERE {column} LIKE 'v1.%'"
                 for name, column in BINDINGS if column != 'recipient']
    if getattr(connection.dialect, 'signaalbot_keyring', None) is None and any(
            connection.execute(sa.text(query)).first() for query in encrypted):
        # Before anything changes (SQLite's schema changes here are not all transactional).
        raise RuntimeError("personal data must be re-encrypted: run this migration with the "
                           "encryption key set (signaalbot db upgrade, or start the bot)")
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
    chats = {row[0] for table in ('alert_chats', 'staff') for row in connection.execute(
        sa.text(f"SELECT {'chat_id' if table == 'alert_chats' else 'telegram_id'} FROM {table}"
                " WHERE blocked_at IS NOT NULL"))}
    if chats:
        op.bulk_insert(blocked, [{'chat_id': chat, 'blocked_at': now, 'retry_at': now,
                                  'failures': 1} for chat in sorted(chats)])
    for table in ('alert_chats', 'staff'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('blocked_at')

    with op.batch_alter_table('signals', schema=None) as batch_op:
        batch_op.alter_column('answers', existing_type=storage.encrypted.EncryptedJSON(),
                              nullable=True)
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.alter_column('chat_id', existing_type=sa.BigInteger(), nullable=True)
        batch_op.add_column(sa.Column('recipient', storage.encrypted.EncryptedText(), nullable=True))
        batch_op.add_column(sa.Column('erased_at', storage.models.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.create_index('ix_outbox_signal_id', ['signal_id'], unique=False)
    _seal(connection)
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


# Every encrypted column, its row's id and the columns it is bound to (storage.models.SEALED
# as of this revision).
BINDINGS = {
    ('signalers', 'external_enc'): ('channel', 'external_hash'),
    ('drafts', 'state'): ('channel', 'external_hash'),
    ('signals', 'answers'): ('id',),
    ('signal_events', 'detail'): ('signal_id', 'action', 'at'),
    ('relayed_questions', 'text'): ('signal_id', 'asked_at'),
    ('outbox', 'text'): ('chat_id', 'signal_id', 'kind', 'edit_of'),
    ('outbox', 'recipient'): ('signal_id', 'kind'),
}
TIMES = ('at', 'asked_at')


def _table(name: str, *columns: str) -> sa.TableClause:
    return sa.table(name, *(sa.column(c, storage.models.UTCDateTime() if c in TIMES else None)
                            for c in columns))


def _seal(connection: sa.Connection) -> None:
    """Bind every encrypted value to its row (``v1`` values were bound to their key only).

    A signaler's chat id in the outbox moves from the clear ``chat_id`` into ``recipient``
    first: the outbox's text is bound to its chat. Both need the encryption key.
    """
    keys = getattr(connection.dialect, 'signaalbot_keyring', None)
    outbox = _table('outbox', 'id', 'kind', 'chat_id', 'signal_id', 'recipient')
    signaler_rows = sa.and_(outbox.c.kind.in_(SIGNALER_KINDS), outbox.c.chat_id.is_not(None))
    connection.execute(sa.update(outbox).where(signaler_rows, outbox.c.chat_id == 0)
                       .values(chat_id=None))
    moving = connection.execute(sa.select(outbox).where(signaler_rows)).mappings().all()
    legacy = {}
    for (name, column), bound in BINDINGS.items():
        table = _table(name, *dict.fromkeys(('id', column, *bound)))
        legacy[(name, column)] = connection.execute(
            sa.select(table).where(table.c[column].like('v1.%'))).mappings().all()
    for row in moving:
        where = storage.crypto.context('outbox.recipient', [row['signal_id'], row['kind']])
        connection.execute(sa.update(outbox).where(outbox.c.id == row['id']).values(
            chat_id=None, recipient=keys.encrypt(str(row['chat_id']), where)))
    for (name, column), rows in legacy.items():
        table, bound = _table(name, 'id', column), BINDINGS[(name, column)]
        for row in rows:
            values = [None if name == 'outbox' and key == 'chat_id' and row['kind'] in
                      SIGNALER_KINDS else row[key] for key in bound]
            where = storage.crypto.context(f'{name}.{column}', values)
            connection.execute(sa.update(table).where(table.c.id == row['id']).values(
                {column: keys.encrypt(keys.decrypt_legacy(row[column]), where)}))


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
