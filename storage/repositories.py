"""Repositories: queries and writes per aggregate. They flush, never commit."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    Float,
    String,
    Text,
    and_,
    bindparam,
    delete,
    exists,
    extract,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.crypto import Keyring, Sealed
from storage.models import (
    AlertChat,
    BlockedChat,
    Draft,
    Gemeente,
    GemeenteMerge,
    GemeenteText,
    HouseNumberRoute,
    Invite,
    NotOnBoard,
    Organisation,
    Outbox,
    Pc4Gemeente,
    Pc4Route,
    Pc6Route,
    ProcessedUpdate,
    RelayedQuestion,
    RoutingDataset,
    Signal,
    Signaler,
    SignalEvent,
    Staff,
    sealing_context,
    utcnow,
)


class ConcurrentUpdate(Exception):
    """Another writer changed the draft first; reload and try again."""


def _insert_or_skip(table: Any) -> dict[str, Any]:
    """``INSERT ... ON CONFLICT DO NOTHING`` per dialect: rowcount 0 when the row was there."""
    return {"postgresql": postgresql_insert(table).on_conflict_do_nothing(),
            "sqlite": sqlite_insert(table).on_conflict_do_nothing()}


_drafts = Draft.__table__
_DRAFT_COLUMNS = (_drafts.c.id, _drafts.c.version, _drafts.c.state, _drafts.c.expires_at,
                  _drafts.c.recent_updates, _drafts.c.external_hash)
# The conversation's hot path: statements built once, on the table (no ORM bookkeeping).
_GET_DRAFT = select(*_DRAFT_COLUMNS).where(
    _drafts.c.channel == bindparam("channel"), _drafts.c.external_hash == bindparam("hash"))
# During a key rotation, under every known lookup key (an expanding IN is rendered anew on
# each execution: 15 % of the lookup's cost, so not on the ordinary path).
_GET_DRAFT_ANY = select(*_DRAFT_COLUMNS).where(
    _drafts.c.channel == bindparam("channel"),
    _drafts.c.external_hash.in_(bindparam("hashes", expanding=True)))
_NEW_DRAFT = _insert_or_skip(_drafts)
_UPDATE_DRAFT = update(_drafts).where(
    _drafts.c.id == bindparam("draft_id"), _drafts.c.version == bindparam("expected")
).values(state=bindparam("new_state"), version=_drafts.c.version + 1,
         updated_at=bindparam("now"), expires_at=bindparam("expires"),
         recent_updates=bindparam("updates"))
_DELETE_DRAFT = delete(_drafts).where(_drafts.c.id == bindparam("draft_id"))
# PostgreSQL: the same two statements straight on asyncpg (``PostgresDraftRepository``).
_PG_GET_DRAFT = ("SELECT id, version, state, expires_at, recent_updates, external_hash FROM drafts"
                 " WHERE channel = $1 AND external_hash = ANY($2::varchar[])")
_PG_UPDATE_DRAFT = ("UPDATE drafts SET state = $1, version = version + 1, updated_at = $2,"
                    " expires_at = $3, recent_updates = $4 WHERE id = $5 AND version = $6")
# How many update ids a draft remembers: more than the flood guard lets one person's updates
# take effect in a batch that Telegram may deliver again (20 in 10 s by default).
RECENT_UPDATES = 32


@dataclass(frozen=True, slots=True)
class DraftRecord:
    """A stored draft as the conversation reads it."""

    id: int
    version: int
    state: dict[str, Any]
    expires_at: datetime
    recent_updates: tuple[int, ...]
    context: str  # what its state is bound to (its person, by channel and lookup hash)


def _draft_context(channel: str, external_hash: str) -> str:
    return sealing_context(Draft, "state", {"channel": channel, "external_hash": external_hash})


class DraftRepository:
    """Conversation drafts, one per person per channel, found by a keyed hash of the id."""

    def __init__(self, session: AsyncSession, keyring: Keyring) -> None:
        self.session = session
        self.keyring = keyring

    async def get(self, *, channel: str, external_id: str) -> DraftRecord | None:
        """The person's draft, if any (expired or not)."""
        hashes = self.keyring.lookup_hashes(external_id)
        if len(hashes) == 1:
            statement, params = _GET_DRAFT, {"channel": channel, "hash": hashes[0]}
        else:
            statement, params = _GET_DRAFT_ANY, {"channel": channel, "hashes": hashes}
        result = await self.session.execute(statement, params)
        row = result.first()
        if row is None:
            return None
        where = _draft_context(channel, row.external_hash)
        return DraftRecord(row.id, row.version, self.keyring.decrypt_json(row.state, where),
                           row.expires_at, tuple(row.recent_updates), where)

    async def save(
        self,
        *,
        channel: str,
        external_id: str,
        state: dict[str, Any],
        ttl: timedelta,
        expected: DraftRecord | None,
        update_id: int | None = None,
    ) -> None:
        """Insert or update the draft, but only if nobody changed it since ``expected``.

        ``update_id`` is remembered with the draft (see ``DraftRecord.recent_updates``).

        Raises:
            ConcurrentUpdate: when another writer got there first.
        """
        now = utcnow()
        updates = list(expected.recent_updates[1 - RECENT_UPDATES:]) if expected else []
        if update_id is not None:
            updates.append(update_id)
        if expected is None:
            lookup = self.keyring.lookup_hash(external_id)
            result = await self.session.execute(
                _NEW_DRAFT[self.session.bind.dialect.name],
                {"channel": channel, "external_hash": lookup, "version": 1,
                 "state": Sealed(state, _draft_context(channel, lookup)), "created_at": now,
                 "updated_at": now, "expires_at": now + ttl, "recent_updates": updates})
            saved = result.rowcount == 1  # type: ignore[attr-defined]
        else:
            saved = await self._update(expected, state, now=now, expires=now + ttl,
                                       updates=updates)
        if not saved:
            raise ConcurrentUpdate

    async def _update(self, draft: DraftRecord, state: dict[str, Any], *, now: datetime,
                      expires: datetime, updates: list[int]) -> bool:
        """Rewrite the draft if it is still at ``draft.version``; whether it was."""
        result = await self.session.execute(_UPDATE_DRAFT, {
            "draft_id": draft.id, "expected": draft.version,
            "new_state": Sealed(state, draft.context),
            "now": now, "expires": expires, "updates": updates})
        return result.rowcount == 1  # type: ignore[attr-defined,no-any-return]

    async def delete(self, draft: DraftRecord) -> None:
        """Remove a draft (it held answers that must not outlive the conversation)."""
        await self.session.execute(_DELETE_DRAFT, {"draft_id": draft.id})

    async def purge_expired(self, *, now: datetime) -> int:
        """Delete every expired draft; returns how many."""
        result = await self.session.execute(delete(Draft).where(Draft.expires_at <= now))
        return int(result.rowcount)  # type: ignore[attr-defined]


class PostgresDraftRepository(DraftRepository):
    """Drafts on PostgreSQL: a step's read and rewrite go straight to asyncpg.

    A conversation step is mostly these two statements: its database work took about 650 µs of
    CPU through SQLAlchemy and 350 µs this way (docs/benchmarks.md). They run on the session's
    connection: in its transaction once an earlier statement of the unit of work began it,
    else each on its own. That is the same for the read under READ COMMITTED, and safe for the
    rewrite: it is guarded by the version and is a step's last write
    (``IntakeService._handle_once``).
    """

    async def _run(self, method: str, *args: Any) -> Any:
        """Call an asyncpg connection method on the connection under this session.

        A connection the server dropped is invalidated, as SQLAlchemy does with its own
        statements: the pool must not hand it to the next step.
        """
        connection = await self.session.connection()
        driver = connection.sync_connection.connection.driver_connection  # type: ignore[union-attr]
        try:
            return await getattr(driver, method)(*args)
        except Exception:
            if driver.is_closed():
                await connection.invalidate()
            raise

    async def get(self, *, channel: str, external_id: str) -> DraftRecord | None:
        """The person's draft, if any (expired or not)."""
        row = await self._run("fetchrow", _PG_GET_DRAFT, channel,
                              self.keyring.lookup_hashes(external_id))
        if row is None:
            return None
        where = _draft_context(channel, row[5])
        return DraftRecord(row[0], row[1], self.keyring.decrypt_json(row[2], where), row[3],
                           tuple(row[4]), where)

    async def _update(self, draft: DraftRecord, state: dict[str, Any], *, now: datetime,
                      expires: datetime, updates: list[int]) -> bool:
        status = await self._run("execute", _PG_UPDATE_DRAFT,
                                 self.keyring.encrypt_json(state, draft.context),
                                 now, expires, json.dumps(updates), draft.id, draft.version)
        return status == "UPDATE 1"  # type: ignore[no-any-return]


def _may_see(code: Any, chat_id: Any) -> Any:
    """SQL: the chat is a team group of the gemeente, or the private chat of its active staff."""
    group = exists().where(AlertChat.gemeente_code == code, AlertChat.chat_id == chat_id)
    staff = exists().where(Staff.gemeente_code == code, Staff.telegram_id == chat_id,
                           Staff.active.is_(True))
    return or_(and_(chat_id < 0, group), and_(chat_id > 0, staff))


def _not_blocked(chat_id: Any, now: datetime) -> Any:
    """SQL: no block on the chat, or its retry is due."""
    return ~exists().where(BlockedChat.chat_id == chat_id, BlockedChat.retry_at > now)


# Built once: these run for every alert filed and every copy sent.
_ALERT_CHATS = (
    select(AlertChat.chat_id)
    .where(AlertChat.gemeente_code == bindparam("code"),
           _may_see(bindparam("code"), AlertChat.chat_id),
           _not_blocked(AlertChat.chat_id, bindparam("now")))
    .order_by(AlertChat.id))
_RECIPIENT_MAY_SEE = select(Signal.id).where(
    Signal.id == bindparam("signal_id"), Signal.erased_at.is_(None),
    _may_see(Signal.gemeente_code, bindparam("chat_id", type_=BigInteger)))


class GemeenteRepository:
    """Gemeenten, their alert chats and the PC4 routing table."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, *, code: str) -> Gemeente | None:
        """One gemeente by CBS code."""
        return await self.session.get(Gemeente, code)

    async def get_by_pc4(self, *, pc4: int) -> Gemeente | None:
        """The gemeente a PC4 area routes to, if any."""
        return await self.session.scalar(
            select(Gemeente).join(Pc4Route).where(Pc4Route.pc4 == pc4)
        )

    async def list_alert_chats(self, *, code: str, now: datetime | None = None) -> list[int]:
        """The chats that get this gemeente's alerts now.

        Its team groups, and those of its alert chats that are the private chat of its active
        staff (see ``may_see``); none that is blocked.
        """
        rows = await self.session.scalars(_ALERT_CHATS, {"code": code, "now": now or utcnow()})
        return list(rows)

    async def may_see(self, *, code: str, chat_id: int) -> bool:
        """Whether a chat may show this gemeente's personal data.

        That is one of its team groups (a group among its alert chats), or the private chat of
        active staff of this gemeente.
        """
        return bool(await self.session.scalar(select(_may_see(code, literal(chat_id)))))

    async def team_groups(self, *, code: str) -> list[int]:
        """The gemeente's group chats among its alert chats."""
        return list(await self.session.scalars(select(AlertChat.chat_id).where(
            AlertChat.gemeente_code == code, AlertChat.chat_id < 0).order_by(AlertChat.id)))

    async def list_all(self) -> list[Gemeente]:
        """Every known gemeente, by name."""
        return list(await self.session.scalars(select(Gemeente).order_by(Gemeente.name)))

    async def replace_alert_chats(self, *, code: str, chat_ids: Sequence[int]) -> None:
        """Make ``chat_ids`` the gemeente's alert chats."""
        await self.session.execute(delete(AlertChat).where(AlertChat.gemeente_code == code))
        self.session.add_all(AlertChat(gemeente_code=code, chat_id=c)
                             for c in dict.fromkeys(chat_ids))
        await self.session.flush()

    async def claim_invite(self, *, token_hash: str, now: datetime) -> Invite | None:
        """Mark an unused, unexpired invitation used; None when there is no such invitation."""
        result = await self.session.execute(
            update(Invite).where(Invite.token_hash == token_hash, Invite.used_at.is_(None),
                                 Invite.expires_at > now).values(used_at=now)
            .execution_options(synchronize_session=False))
        if int(result.rowcount) != 1:  # type: ignore[attr-defined]
            return None
        return await self.session.scalar(select(Invite).where(Invite.token_hash == token_hash))

    async def list_all_alert_chats(self, *, code: str) -> list[int]:
        """Every alert chat of a gemeente, blocked or not."""
        return list(await self.session.scalars(
            select(AlertChat.chat_id).where(AlertChat.gemeente_code == code)))

    async def list_pc4(self, *, code: str) -> list[int]:
        """The configured PC4 areas of a gemeente."""
        return list(await self.session.scalars(
            select(Pc4Route.pc4).where(Pc4Route.gemeente_code == code)))

    async def upsert_organisation(self, *, code: str, name: str, role: str,
                                  gemeente_code: str | None) -> None:
        """Create or update a signaler organisation by its code."""
        org = await self.get_organisation(code=code)
        if org is None:
            self.session.add(Organisation(code=code, name=name, role=role,
                                          gemeente_code=gemeente_code))
        else:
            org.name, org.role, org.gemeente_code = name, role, gemeente_code
        await self.session.flush()

    async def get_organisation(self, *, code: str) -> Organisation | None:
        """A signaler organisation by the code in its deep link."""
        return await self.session.scalar(select(Organisation).where(Organisation.code == code))

    async def list_organisations(self) -> list[tuple[Organisation, str | None]]:
        """Every signaler organisation with its gemeente's name (None: it has no gemeente)."""
        rows = await self.session.execute(select(Organisation, Gemeente.name).outerjoin(
            Gemeente, Gemeente.code == Organisation.gemeente_code))
        return [(organisation, name) for organisation, name in rows]

    async def get_text(self, *, code: str, key: str) -> str | None:
        """A gemeente's own wording of a text, if it has one."""
        row = await self.session.get(GemeenteText, (code, key))
        return row.text if row else None

    async def set_text(self, *, code: str, key: str, text: str | None) -> None:
        """Set (or with None remove) a gemeente's own wording of a text."""
        row = await self.session.get(GemeenteText, (code, key))
        if text is None:
            if row is not None:
                await self.session.delete(row)
        elif row is None:
            self.session.add(GemeenteText(gemeente_code=code, key=key, text=text))
        else:
            row.text = text
        await self.session.flush()

    async def move_chat(self, *, old: int, new: int) -> None:
        """A group became a supergroup: it is the same team group under its new id."""
        await self.session.execute(
            update(AlertChat).where(AlertChat.chat_id == old).values(chat_id=new))
        for gemeente in await self.session.scalars(select(Gemeente)):
            if old in gemeente.backup_chat_ids:
                gemeente.backup_chat_ids = [new if c == old else c
                                            for c in gemeente.backup_chat_ids]
        await self.session.flush()

    async def list_fallback_chats(self, *, code: str, now: datetime | None = None) -> list[int]:
        """Who else hears of a gemeente's signals: alert chats, regisseurs, backup contacts.

        None that is blocked; only those that ``may_see`` get personal data.
        """
        now = now or utcnow()
        gemeente = await self.get(code=code)
        regisseurs = await self.session.scalars(
            select(Staff.telegram_id).where(
                Staff.gemeente_code == code, Staff.role == "regisseur", Staff.active.is_(True),
                _not_blocked(Staff.telegram_id, now)).order_by(Staff.id))
        blocked = await BlockedChatRepository(self.session).blocked(now=now)
        backups = [c for c in (gemeente.backup_chat_ids if gemeente else []) if c not in blocked]
        chats = [*await self.list_alert_chats(code=code, now=now), *regisseurs, *backups]
        return list(dict.fromkeys(chats))

    async def upsert(
        self,
        *,
        code: str,
        name: str,
        active: bool,
        fallback_advice: str | None,
        alert_chat_ids: Sequence[int],
        pc4_ranges: Sequence[tuple[int, int]],
        escalation_hours: float = 24.0,
        retention_days: float = 30.0,
        silent_days: float = 5.0,
        backup_chat_ids: Sequence[int] = (),
    ) -> None:
        """Create or replace a gemeente with its alert chats and PC4 areas."""
        gemeente = await self.get(code=code)
        if gemeente is None:
            gemeente = Gemeente(code=code)
            self.session.add(gemeente)
        gemeente.name, gemeente.active, gemeente.fallback_advice = name, active, fallback_advice
        gemeente.escalation_hours, gemeente.silent_days = escalation_hours, silent_days
        gemeente.retention_days = retention_days
        gemeente.backup_chat_ids = list(backup_chat_ids)
        await self.session.flush()
        await self.session.execute(delete(AlertChat).where(
            AlertChat.gemeente_code == code, AlertChat.chat_id.not_in(alert_chat_ids)))
        await self.session.execute(delete(Pc4Route).where(Pc4Route.gemeente_code == code))
        pc4s = sorted({pc4 for low, high in pc4_ranges for pc4 in range(low, high + 1)})
        if pc4s:  # an area configured for another gemeente before moves here
            await self.session.execute(delete(Pc4Route).where(Pc4Route.pc4.in_(pc4s)))
        known = set(await self.session.scalars(
            select(AlertChat.chat_id).where(AlertChat.gemeente_code == code)))
        self.session.add_all(AlertChat(gemeente_code=code, chat_id=c)
                             for c in alert_chat_ids if c not in known)
        self.session.add_all(Pc4Route(pc4=pc4, gemeente_code=code) for pc4 in pc4s)
        await self.session.flush()


class SignalerRepository:
    """People who report, found by a keyed hash of their channel id."""

    def __init__(self, session: AsyncSession, keyring: Keyring) -> None:
        self.session = session
        self.keyring = keyring

    async def get(self, *, channel: str, external_id: str) -> Signaler | None:
        """A signaler by channel identity."""
        return await self.session.scalar(select(Signaler).where(
            Signaler.channel == channel,
            Signaler.external_hash.in_(self.keyring.lookup_hashes(external_id))))

    async def get_by_id(self, *, signaler_id: int) -> Signaler | None:
        """A signaler by id."""
        return await self.session.get(Signaler, signaler_id)

    async def delete(self, signaler: Signaler) -> None:
        """Forget a signaler (their signals stay, unlinked)."""
        await self.session.delete(signaler)
        await self.session.flush()

    async def delete_without_signals(self) -> None:
        """Forget signalers none of whose signals links to them any more."""
        await self.session.execute(delete(Signaler).where(
            ~exists().where(Signal.signaler_id == Signaler.id)))

    async def get_or_add(self, *, channel: str, external_id: str, role: str) -> Signaler:
        """A signaler by channel identity, created on first use, in the ``role`` given now."""
        signaler = await self.get(channel=channel, external_id=external_id)
        if signaler is None:
            signaler = Signaler(channel=channel, external_id=external_id, role=role,
                                external_hash=self.keyring.lookup_hash(external_id))
            self.session.add(signaler)
            await self.session.flush()
        else:
            signaler.role = role
        return signaler


class SignalRepository:
    """Filed signals."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, signal: Signal) -> Signal:
        """Store a signal and give it its reference ``SP-<year>-<number>``.

        Its answers are written with the reference: they are bound to the signal's id.
        """
        answers, signal.answers = signal.answers, None
        self.session.add(signal)
        await self.session.flush()
        signal.reference = f"SP-{signal.created_at.year}-{signal.id:06d}"
        signal.answers = answers
        await self.session.flush()
        return signal

    async def get(self, *, signal_id: int) -> Signal | None:
        """One signal by id."""
        return await self.session.get(Signal, signal_id, populate_existing=True)

    async def get_by_reference(self, *, reference: str) -> Signal | None:
        """One signal by its reference (SP-2026-000123)."""
        return await self.session.scalar(select(Signal).where(Signal.reference == reference))

    async def change_state(self, *, signal_id: int, expected: str, **values: Any) -> bool:
        """Update a signal only if it is still in state ``expected``: the one winner of a race."""
        result = await self.session.execute(
            update(Signal).where(Signal.id == signal_id, Signal.status == expected).values(**values)
            .execution_options(synchronize_session=False))
        return int(result.rowcount) == 1  # type: ignore[attr-defined]

    async def list_open(self, *, gemeente_code: str) -> list[Signal]:
        """A gemeente's signals that are not closed, oldest first."""
        rows = await self.session.scalars(
            select(Signal).where(Signal.gemeente_code == gemeente_code, Signal.status != "closed")
            .order_by(Signal.created_at, Signal.id))
        return list(rows)

    async def list_owned(self, *, staff_id: int) -> list[Signal]:
        """Open signals owned by one staff member, oldest first."""
        rows = await self.session.scalars(
            select(Signal).where(Signal.owner_id == staff_id, Signal.status != "closed")
            .order_by(Signal.created_at, Signal.id))
        return list(rows)

    async def list_by_signaler(self, *, signaler_id: int,
                               limit: int | None = 10) -> list[Signal]:
        """A signaler's own signals, newest first."""
        rows = await self.session.scalars(
            select(Signal).where(Signal.signaler_id == signaler_id)
            .order_by(Signal.id.desc()).limit(limit))
        return list(rows)

    async def list_closed_unerased(self) -> list[Signal]:
        """Closed signals whose personal fields are still there."""
        rows = await self.session.scalars(
            select(Signal).where(Signal.status == "closed", Signal.erased_at.is_(None))
            .order_by(Signal.closed_at))
        return list(rows)

    async def list_due(self, *, now: datetime) -> list[Signal]:
        """Open signals whose escalation or reminder is due."""
        rows = await self.session.scalars(
            select(Signal).where(Signal.due_at <= now, Signal.status != "closed")
            .order_by(Signal.due_at))
        return list(rows)

    async def count(self) -> int:
        """How many signals are stored."""
        return int(await self.session.scalar(select(func.count(Signal.id))) or 0)

    async def count_not_on_board(self) -> int:
        """How many signals were for gemeenten that do not take part."""
        return int(await self.session.scalar(select(func.count(NotOnBoard.id))) or 0)

    async def add_not_on_board(self, *, gemeente_code: str | None) -> None:
        """Count a signal that could not be routed (nothing about the person is kept)."""
        self.session.add(NotOnBoard(gemeente_code=gemeente_code))
        await self.session.flush()


_staff = Staff.__table__
_STAFF_PENDING = select(_staff.c.pending).where(
    _staff.c.telegram_id == bindparam("telegram_id"), _staff.c.active.is_(True))


class StaffRepository:
    """Regisseurs and team members."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, *, staff_id: int) -> Staff | None:
        """One staff member by id."""
        return await self.session.get(Staff, staff_id)

    async def get_active(self, *, telegram_id: int, gemeente_code: str) -> Staff | None:
        """The active staff record of this Telegram user in this gemeente, if any."""
        return await self.session.scalar(select(Staff).where(
            Staff.telegram_id == telegram_id, Staff.gemeente_code == gemeente_code,
            Staff.active.is_(True)))

    async def has_pending(self, *, telegram_id: int) -> bool:
        """Whether this Telegram user, as staff, was asked to type a note or question."""
        rows = await self.session.execute(_STAFF_PENDING, {"telegram_id": telegram_id})
        return any(pending for (pending,) in rows)

    async def list_memberships(self, *, telegram_id: int) -> list[Staff]:
        """Every active staff record of this Telegram user (one per gemeente)."""
        rows = await self.session.scalars(select(Staff).where(
            Staff.telegram_id == telegram_id, Staff.active.is_(True)).order_by(Staff.id))
        return list(rows)

    async def names(self, *, gemeente_code: str) -> dict[int, str]:
        """Staff id -> name, for everyone who ever was staff of the gemeente."""
        rows = await self.session.execute(
            select(Staff.id, Staff.name).where(Staff.gemeente_code == gemeente_code))
        return {staff_id: name for staff_id, name in rows}

    async def list_team(self, *, gemeente_code: str) -> list[Staff]:
        """A gemeente's active staff, regisseurs first."""
        rows = await self.session.scalars(select(Staff).where(
            Staff.gemeente_code == gemeente_code, Staff.active.is_(True))
            .order_by(Staff.role.desc(), Staff.name))
        return list(rows)

    async def add_or_activate(self, *, gemeente_code: str, telegram_id: int, name: str,
                              role: str) -> Staff:
        """Register someone as staff of a gemeente (again, if they were removed)."""
        member = await self.session.scalar(select(Staff).where(
            Staff.gemeente_code == gemeente_code, Staff.telegram_id == telegram_id))
        if member is None:
            member = Staff(gemeente_code=gemeente_code, telegram_id=telegram_id, name=name,
                           role=role, active=True, source="invite")
            self.session.add(member)
        else:
            member.name, member.role, member.active = name, role, True
        await self.session.flush()
        return member

    async def sync(self, *, gemeente_code: str,
                   members: Sequence[tuple[int, str, str]]) -> list[int]:
        """Make ``(telegram_id, name, role)`` the gemeente's configured staff.

        Configured staff who are no longer listed lose access (returned: their Telegram ids);
        staff who joined through an invitation are left alone.
        """
        removed = []
        existing = {s.telegram_id: s for s in await self.session.scalars(
            select(Staff).where(Staff.gemeente_code == gemeente_code))}
        for telegram_id, name, role in members:
            member = existing.pop(telegram_id, None)
            if member is None:
                self.session.add(Staff(gemeente_code=gemeente_code, telegram_id=telegram_id,
                                       name=name, role=role, active=True, source="config"))
            else:
                member.name, member.role, member.active = name, role, True
                member.source = "config"
        for gone in existing.values():
            if gone.source == "config" and gone.active:
                gone.active, gone.pending = False, None
                removed.append(gone.telegram_id)
        await self.session.flush()
        return removed


class EventRepository:
    """Signal histories."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, *, signal_id: int, action: str, actor_id: int | None = None,
                  detail: dict[str, Any] | None = None, at: datetime | None = None) -> SignalEvent:
        """Append one entry to a signal's history."""
        event = SignalEvent(signal_id=signal_id, action=action, actor_id=actor_id,
                            detail=detail or {}, at=at or utcnow())
        self.session.add(event)
        await self.session.flush()
        return event

    async def erase_text(self, *, signal_id: int, actions: frozenset[str]) -> None:
        """Erase what people typed (notes, questions, answers) from a signal's history."""
        rows = await self.session.scalars(select(SignalEvent).where(
            SignalEvent.signal_id == signal_id, SignalEvent.action.in_(actions)))
        for event in rows:
            event.detail = {"erased": True}
        await self.session.flush()

    async def list_for(self, *, signal_id: int) -> list[tuple[SignalEvent, str | None]]:
        """A signal's history, oldest first, with the actor's name."""
        rows = await self.session.execute(
            select(SignalEvent, Staff.name).outerjoin(Staff, Staff.id == SignalEvent.actor_id)
            .where(SignalEvent.signal_id == signal_id).order_by(SignalEvent.id))
        return [(event, name) for event, name in rows]


class QuestionRepository:
    """Questions relayed from staff to signalers."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, question: RelayedQuestion) -> RelayedQuestion:
        """Store a new question."""
        self.session.add(question)
        await self.session.flush()
        return question

    async def get(self, *, question_id: int) -> RelayedQuestion | None:
        """One question by id."""
        return await self.session.get(RelayedQuestion, question_id)

    async def get_open_for_signaler(self, *, signaler_id: int,
                                    outbox_message_id: int | None = None) -> RelayedQuestion | None:
        """The signaler's open question: the one replied to, else the newest."""
        query = (select(RelayedQuestion).join(Signal, Signal.id == RelayedQuestion.signal_id)
                 .where(Signal.signaler_id == signaler_id, RelayedQuestion.closed_at.is_(None)))
        if outbox_message_id is not None:
            query = query.join(Outbox, Outbox.id == RelayedQuestion.outbox_id).where(
                Outbox.message_id == outbox_message_id)
        return await self.session.scalar(query.order_by(RelayedQuestion.id.desc()).limit(1))

    async def list_open_for_signaler(self, *, signaler_id: int) -> list[RelayedQuestion]:
        """All of a signaler's open questions."""
        rows = await self.session.scalars(
            select(RelayedQuestion).join(Signal, Signal.id == RelayedQuestion.signal_id)
            .where(Signal.signaler_id == signaler_id, RelayedQuestion.closed_at.is_(None)))
        return list(rows)

    async def list_expired(self, *, now: datetime) -> list[RelayedQuestion]:
        """Open questions past their expiry."""
        rows = await self.session.scalars(select(RelayedQuestion).where(
            RelayedQuestion.closed_at.is_(None), RelayedQuestion.expires_at <= now))
        return list(rows)

    async def erase_for_signal(self, *, signal_id: int) -> None:
        """Erase the text of a signal's relayed questions."""
        await self.session.execute(update(RelayedQuestion).where(
            RelayedQuestion.signal_id == signal_id).values(text=""))

    async def close(self, *, question_id: int, result: str, now: datetime) -> bool:
        """Close an open question; False when it was closed already."""
        outcome = await self.session.execute(
            update(RelayedQuestion)
            .where(RelayedQuestion.id == question_id, RelayedQuestion.closed_at.is_(None))
            .values(closed_at=now, result=result))
        return int(outcome.rowcount) == 1  # type: ignore[attr-defined]


_RECORD_UPDATE = _insert_or_skip(ProcessedUpdate.__table__)


class ProcessedUpdateRepository:
    """Channel updates already handled: the guard against redelivery after a crash."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record(self, *, channel: str, update_id: int) -> bool:
        """Record an update in this transaction; False when it was handled before.

        One ``INSERT ... ON CONFLICT DO NOTHING`` (SQLite and PostgreSQL), no savepoint.
        """
        result = await self.session.execute(
            _RECORD_UPDATE[self.session.bind.dialect.name],
            {"channel": channel, "update_id": update_id, "at": utcnow()})
        return int(result.rowcount) == 1  # type: ignore[attr-defined]

    async def purge(self, *, before: datetime) -> int:
        """Forget updates handled before ``before`` (Telegram keeps them at most a day)."""
        result = await self.session.execute(
            delete(ProcessedUpdate).where(ProcessedUpdate.at < before))
        return int(result.rowcount)  # type: ignore[attr-defined]


def _stored(buttons: Sequence[Sequence[Sequence[str]]] | None) -> list[list[list[str]]] | None:
    """Buttons as the outbox stores them (JSON lists), or None."""
    return [[list(button) for button in row] for row in buttons or ()] or None


_LIVE_ALERT = text("kind = 'alert' AND failed_at IS NULL")


class OutboxRepository:
    """Messages waiting to be sent, and the record of the copies that were (``message_id``).

    A row's text is kept only until it is sent or given up: then it is erased here, and the
    row remains as the record of the copy in its chat.
    """

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self,
        *,
        kind: str,
        text: str,
        chat_id: int | None = None,
        recipient: str | None = None,
        signal_id: int | None = None,
        buttons: Sequence[Sequence[Sequence[str]]] | None = None,
        edit_of: int | None = None,
        channel: str = "telegram",
        due: datetime | None = None,
    ) -> Outbox:
        """Queue a message to a staff chat (``chat_id``) or a signaler (``recipient``).

        A signaler's chat is stored encrypted. The message is sent after the transaction
        commits, or at ``due``.
        """
        row = Outbox(channel=channel, chat_id=chat_id, recipient=recipient, kind=kind,
                     text=text, signal_id=signal_id, buttons=_stored(buttons), edit_of=edit_of,
                     next_attempt_at=due or utcnow())
        self.session.add(row)
        await self.session.flush()
        return row

    async def add_to_chats(self, chat_ids: Iterable[int], *, kind: str, text: str,
                           signal_id: int,
                           buttons: Sequence[Sequence[Sequence[str]]] | None = None) -> None:
        """Queue the same message to each chat (one statement for them all)."""
        self.session.add_all(Outbox(chat_id=chat_id, kind=kind, text=text, signal_id=signal_id,
                                    buttons=_stored(buttons)) for chat_id in chat_ids)
        await self.session.flush()

    async def add_alert(self, *, chat_id: int, text: str, signal_id: int,
                        buttons: Sequence[Sequence[Sequence[str]]]) -> bool:
        """Queue an alert unless the chat has a live one of this signal; whether it did."""
        dialect = self.session.bind.dialect.name
        insert_ = postgresql_insert if dialect == "postgresql" else sqlite_insert
        where = sealing_context(Outbox, "text", {"chat_id": chat_id, "signal_id": signal_id,
                                                 "kind": "alert", "edit_of": None})
        result = await self.session.execute(
            insert_(Outbox).values(
                channel="telegram", chat_id=chat_id, kind="alert", text=Sealed(text, where),
                signal_id=signal_id, buttons=_stored(buttons), created_at=utcnow(),
                next_attempt_at=utcnow(), attempts=0)
            .on_conflict_do_nothing(index_elements=["signal_id", "chat_id"],
                                    index_where=_LIVE_ALERT))
        return int(result.rowcount) == 1  # type: ignore[attr-defined]

    async def get(self, *, outbox_id: int) -> Outbox | None:
        """One outbox row."""
        return await self.session.get(Outbox, outbox_id, populate_existing=True)

    def _pending(self, channels: Sequence[str] | None) -> Any:
        query = select(Outbox).where(Outbox.sent_at.is_(None), Outbox.failed_at.is_(None))
        return query.where(Outbox.channel.in_(channels)) if channels is not None else query

    async def list_due(
        self, *, now: datetime, channels: Sequence[str] | None = None, limit: int = 1000
    ) -> list[Outbox]:
        """Unsent messages whose time has come, oldest first."""
        rows = await self.session.scalars(
            self._pending(channels).where(Outbox.next_attempt_at <= now)
            .order_by(Outbox.id).limit(limit)
        )
        return list(rows)

    async def next_due_at(self, *, channels: Sequence[str] | None = None) -> datetime | None:
        """When the earliest unsent message is due."""
        query = self._pending(channels).with_only_columns(func.min(Outbox.next_attempt_at))
        return await self.session.scalar(query)

    async def list_for_signal(self, *, signal_id: int, kinds: Iterable[str]) -> list[Outbox]:
        """A signal's messages of some kinds, oldest first."""
        rows = await self.session.scalars(
            select(Outbox).where(Outbox.signal_id == signal_id, Outbox.kind.in_(list(kinds)))
            .order_by(Outbox.id))
        return list(rows)

    async def live_alerts(self, *, signal_id: int) -> list[Outbox]:
        """A signal's alerts that are (or will be) in a chat and not erased."""
        rows = await self.session.scalars(select(Outbox).where(
            Outbox.signal_id == signal_id, Outbox.kind == "alert", Outbox.failed_at.is_(None),
            Outbox.erased_at.is_(None)).order_by(Outbox.id))
        return list(rows)

    async def list_copies(self, *, kinds: Iterable[str], signal_id: int | None = None,
                          chat_id: int | None = None,
                          gemeente_code: str | None = None) -> list[Outbox]:
        """Copies still to erase (sent or on their way): of a signal, in a chat, of a gemeente."""
        query = select(Outbox).where(Outbox.kind.in_(list(kinds)), Outbox.erased_at.is_(None),
                                     or_(Outbox.message_id.is_not(None),
                                         Outbox.sent_at.is_(None) & Outbox.failed_at.is_(None)))
        if signal_id is not None:
            query = query.where(Outbox.signal_id == signal_id)
        if chat_id is not None:
            query = query.where(Outbox.chat_id == chat_id)
        if gemeente_code is not None:
            query = query.join(Signal, Signal.id == Outbox.signal_id).where(
                Signal.gemeente_code == gemeente_code)
        return list(await self.session.scalars(query.order_by(Outbox.id)))

    async def rewrite(self, row: Outbox, *, text: str,
                      buttons: Sequence[Sequence[Sequence[str]]]) -> None:
        """Change what an unsent message will say."""
        row.text, row.buttons = text, _stored(buttons)
        await self.session.flush()

    async def erase(self, row: Outbox, *, stub: str, now: datetime) -> None:
        """Forget a copy's text: blank (or delete) it in its chat; an unsent one never goes."""
        if row.message_id is not None:
            await self.add(kind="erase", text=stub, chat_id=row.chat_id,
                           recipient=row.recipient, signal_id=row.signal_id, edit_of=row.id,
                           channel=row.channel)
        elif row.failed_at is None:
            row.failed_at, row.last_error = now, "erased before it was sent"
        row.text, row.buttons, row.erased_at = "", None, now
        await self.session.flush()

    async def delete_for_signal(self, *, signal_id: int, kinds: Iterable[str]) -> None:
        """Delete a signal's messages of some kinds (a signaler's, when they are forgotten)."""
        await self.session.execute(delete(Outbox).where(
            Outbox.signal_id == signal_id, Outbox.kind.in_(list(kinds))))

    async def failed_erasures(self) -> list[tuple[Outbox, str | None, str | None]]:
        """Copies the channel would neither blank nor delete: with reference and gemeente."""
        rows = await self.session.execute(
            select(Outbox, Signal.reference, Signal.gemeente_code)
            .outerjoin(Signal, Signal.id == Outbox.signal_id)
            .where(Outbox.kind == "erase", Outbox.failed_at.is_not(None)).order_by(Outbox.id))
        return [(row, reference, gemeente) for row, reference, gemeente in rows]

    async def recipient_may_see(self, row: Outbox) -> bool:
        """Whether a message with personal data may go to its chat now.

        The signal is not erased, and the chat is a team group of its gemeente or the private
        chat of active staff there (``GemeenteRepository.may_see``).
        """
        found = await self.session.scalar(
            _RECIPIENT_MAY_SEE, {"signal_id": row.signal_id, "chat_id": row.chat_id or 0})
        return found is not None

    async def mark_sent(self, *, outbox_id: int, message_id: int | None,
                        keep_recipient: bool) -> bool:
        """Record that the channel accepted the message, and forget its text.

        A signaler's chat is forgotten too, unless ``keep_recipient``. Returns False when the
        copy was erased meanwhile: it must then be erased in its chat too.
        """
        values: dict[str, Any] = {"sent_at": utcnow(), "message_id": message_id, "text": "",
                                  "attempts": Outbox.attempts + 1}
        if not keep_recipient:
            values["recipient"] = None
        erased = await self.session.scalar(
            update(Outbox).where(Outbox.id == outbox_id).values(**values)
            .returning(Outbox.erased_at))
        return erased is None

    async def forget_recipient(self, *, outbox_id: int) -> None:
        """Forget the signaler a message went to (its copy is erased)."""
        await self.session.execute(
            update(Outbox).where(Outbox.id == outbox_id).values(recipient=None))

    async def mark_failed(
        self, *, outbox_id: int, error: str, permanent: bool = False,
        retry_at: datetime | None = None,
    ) -> None:
        """Record a failed attempt: permanently (its text is forgotten), or when to retry."""
        values: dict[str, Any] = {"last_error": error[:200], "attempts": Outbox.attempts + 1}
        if permanent:
            values.update(failed_at=utcnow(), text="")
        elif retry_at is not None:
            values["next_attempt_at"] = retry_at
        await self.session.execute(update(Outbox).where(Outbox.id == outbox_id).values(**values))

    async def move_chat(self, *, old: int, new: int) -> None:
        """A group became a supergroup: its unsent messages go to the new chat id.

        Row by row: each text is bound to its chat, so it is written again for the new one.
        """
        for row in await self.session.scalars(select(Outbox).where(
                Outbox.chat_id == old, Outbox.sent_at.is_(None), Outbox.failed_at.is_(None))):
            row.chat_id = new
        await self.session.flush()


class BlockedChatRepository:
    """Staff chats and team groups the bot could not reach, and when to try them again."""

    FIRST_RETRY = timedelta(hours=1)
    LAST_RETRY = timedelta(days=1)

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def block(self, *, chat_id: int, now: datetime) -> None:
        """The chat refused a message: wait before trying it again, longer each time."""
        row = await self.session.get(BlockedChat, chat_id)
        if row is None:
            self.session.add(BlockedChat(chat_id=chat_id, blocked_at=now, failures=1,
                                         retry_at=now + self.FIRST_RETRY))
        else:
            row.failures += 1
            row.retry_at = now + min(self.FIRST_RETRY * 2 ** (row.failures - 1),
                                     self.LAST_RETRY)
        await self.session.flush()

    async def unblock(self, *, chat_id: int) -> bool:
        """The chat can be reached again; whether it was blocked."""
        result = await self.session.execute(
            delete(BlockedChat).where(BlockedChat.chat_id == chat_id))
        return int(result.rowcount) == 1  # type: ignore[attr-defined]

    async def blocked(self, *, now: datetime) -> set[int]:
        """Chats not to use now (a later retry is not due yet)."""
        return set(await self.session.scalars(
            select(BlockedChat.chat_id).where(BlockedChat.retry_at > now)))

    async def all(self) -> set[int]:
        """Every chat with a block record (due for a retry or not)."""
        return set(await self.session.scalars(select(BlockedChat.chat_id)))


class MonitoringRepository:
    """Anonymous figures for monitoring: grouped counts, durations and backlog dates.

    Reads only anonymous columns (gemeente, role, signs, pc4, choices, organisation, status,
    outcome, the timestamps), ``not_on_board`` and the organisations' names; never ``answers``,
    so it works after the retention purge and without the encryption key. ``gemeente_code=None``
    means every gemeente (the national view). Periods are half-open: ``start <= created_at < end``.
    """

    GROUPS = {"gemeente": Signal.gemeente_code, "role": Signal.role, "pc4": Signal.pc4,
              "organisation": Signal.organisation_id, "status": Signal.status,
              "outcome": Signal.outcome}

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @property
    def _postgres(self) -> bool:
        return self.session.get_bind().dialect.name == "postgresql"

    @staticmethod
    def _where(gemeente_code: str | None, start: datetime, end: datetime) -> list[Any]:
        conditions = [Signal.created_at >= start, Signal.created_at < end]
        if gemeente_code is not None:
            conditions.append(Signal.gemeente_code == gemeente_code)
        return conditions

    async def count_by(self, group: str, *, gemeente_code: str | None, start: datetime,
                       end: datetime) -> dict[Any, int]:
        """Signals created in the period per value of one column (a key of ``GROUPS``)."""
        column = self.GROUPS[group]
        rows = await self.session.execute(
            select(column, func.count()).where(*self._where(gemeente_code, start, end))
            .group_by(column))
        return {key: int(count) for key, count in rows}

    async def count_signs(self, *, gemeente_code: str | None, start: datetime,
                          end: datetime) -> dict[str, int]:
        """How many signals of the period mention each sign (grouped by the JSON list)."""
        text = Signal.signs.cast(Text)
        rows = await self.session.execute(
            select(text, func.count()).where(*self._where(gemeente_code, start, end))
            .group_by(text))
        counts: dict[str, int] = {}
        for signs, count in rows:
            for sign in set(json.loads(signs) if signs else ()):
                counts[sign] = counts.get(sign, 0) + int(count)
        return counts

    async def count_choices(self, *, gemeente_code: str | None, start: datetime,
                            end: datetime) -> dict[tuple[str, str], int]:
        """How many signals of the period gave each (question, value) of a counted question."""
        text = Signal.choices.cast(Text)
        rows = await self.session.execute(
            select(text, func.count()).where(*self._where(gemeente_code, start, end))
            .group_by(text))
        counts: dict[tuple[str, str], int] = {}
        for choices, count in rows:
            for question, answer in ((json.loads(choices) if choices else None) or {}).items():
                for value in set(answer if isinstance(answer, list) else [answer]):
                    key = (question, str(value))
                    counts[key] = counts.get(key, 0) + int(count)
        return counts

    async def count_by_hour(self, *, gemeente_code: str | None, start: datetime,
                            end: datetime) -> dict[datetime, int]:
        """Signals created in the period per UTC hour (to be binned in local weeks)."""
        hour = self._hour()
        rows = await self.session.execute(
            select(hour, func.count()).where(*self._where(gemeente_code, start, end))
            .group_by(hour))
        return {datetime.strptime(key, "%Y-%m-%d %H").replace(tzinfo=UTC): int(count)
                for key, count in rows}

    def _hour(self) -> Any:
        """``created_at`` as its UTC hour, text ``YYYY-MM-DD HH``, on either database."""
        if self._postgres:
            return func.to_char(func.timezone("UTC", Signal.created_at), "YYYY-MM-DD HH24")
        return func.substr(Signal.created_at, 1, 13, type_=String)  # stored as UTC text

    def _seconds(self, start: Any, end: Any) -> Any:
        """Seconds from ``start`` to ``end`` (rounded to milliseconds where they are read).

        SQLite's julianday is exact to about 0.1 ms; PostgreSQL extracts the epoch.
        """
        if self._postgres:
            return extract("epoch", end - start).cast(Float)
        return (func.julianday(end) - func.julianday(start)) * 86400.0

    async def durations(self, *, gemeente_code: str | None, start: datetime,
                        end: datetime) -> tuple[list[float], list[float]]:
        """Seconds from filing to claim, and to first contact, of the period's signals."""
        rows = await self.session.execute(
            select(self._seconds(Signal.created_at, Signal.claimed_at),
                   self._seconds(Signal.created_at, Signal.first_contact_at))
            .where(*self._where(gemeente_code, start, end), Signal.claimed_at.is_not(None)))
        claim, contact = [], []
        for to_claim, to_contact in rows:
            claim.append(round(float(to_claim), 3))
            if to_contact is not None:
                contact.append(round(float(to_contact), 3))
        return claim, contact

    async def backlog(self, *, gemeente_code: str | None, at: datetime) -> list[datetime]:
        """When each signal that was open at ``at`` was filed (open: not closed by then)."""
        query = select(Signal.created_at).where(
            Signal.created_at < at, or_(Signal.status != "closed", Signal.closed_at >= at))
        if gemeente_code is not None:
            query = query.where(Signal.gemeente_code == gemeente_code)
        return list(await self.session.scalars(query))

    async def count_not_on_board(self, *, gemeente_code: str | None, start: datetime,
                                 end: datetime) -> dict[str | None, int]:
        """Signals for gemeenten that do not take part, per gemeente code (None: unknown)."""
        query = (select(NotOnBoard.gemeente_code, func.count())
                 .where(NotOnBoard.created_at >= start, NotOnBoard.created_at < end)
                 .group_by(NotOnBoard.gemeente_code))
        if gemeente_code is not None:
            query = query.where(NotOnBoard.gemeente_code == gemeente_code)
        return {code: int(count) for code, count in await self.session.execute(query)}

    async def gemeente_names(self) -> dict[str, str]:
        """Every known gemeente's name by CBS code."""
        rows = await self.session.execute(select(Gemeente.code, Gemeente.name))
        return {code: name for code, name in rows}

    async def organisations(self) -> dict[int, tuple[str, str, str | None]]:
        """Every signaler organisation: id -> (code, name, gemeente code or None)."""
        rows = await self.session.execute(
            select(Organisation.id, Organisation.code, Organisation.name,
                   Organisation.gemeente_code))
        return {id_: (code, name, gemeente) for id_, code, name, gemeente in rows}


_ROUTING_TABLES = (Pc6Route, HouseNumberRoute, Pc4Gemeente)
ROUTING_COLUMNS: dict[type[Any], tuple[str, ...]] = {
    Pc6Route: ("dataset_id", "pc6", "gemeente_code"),
    HouseNumberRoute: ("dataset_id", "pc6", "house_number", "gemeente_code"),
    Pc4Gemeente: ("dataset_id", "pc4", "gemeente_code", "addresses"),
}


def _current_dataset() -> Any:
    """The id of the current routing dataset, as a subquery (one consistent statement)."""
    return (select(RoutingDataset.id).where(RoutingDataset.is_current.is_(True))
            .limit(1).scalar_subquery())


class RoutingRepository:
    """Routing tables imported from CBS: PC6, house-number exceptions and PC4 address counts.

    Every lookup reads the current dataset in the same statement, so a reader never mixes a
    half-loaded import with the one it replaces.
    """

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def current(self) -> RoutingDataset | None:
        """The dataset routing reads from, if any was imported."""
        return await self.session.scalar(
            select(RoutingDataset).where(RoutingDataset.is_current.is_(True)))

    async def list_datasets(self) -> list[RoutingDataset]:
        """Every import, newest first."""
        return list(await self.session.scalars(
            select(RoutingDataset).order_by(RoutingDataset.id.desc())))

    async def pc6(self, *, pc6: str) -> tuple[bool, str | None]:
        """``(found, gemeente code)``; the code is None when the PC6 spans several gemeenten."""
        row = (await self.session.execute(select(Pc6Route.gemeente_code).where(
            Pc6Route.dataset_id == _current_dataset(), Pc6Route.pc6 == pc6))).first()
        return (False, None) if row is None else (True, row[0])

    async def house_number(self, *, pc6: str, number: int) -> str | None:
        """The gemeente of one address of a split PC6, if CBS lists it."""
        return await self.session.scalar(select(HouseNumberRoute.gemeente_code).where(
            HouseNumberRoute.dataset_id == _current_dataset(), HouseNumberRoute.pc6 == pc6,
            HouseNumberRoute.house_number == number))

    async def pc6_candidates(self, *, pc6: str) -> list[tuple[str, str, int]]:
        """``(code, name, addresses)`` of the gemeenten a split PC6 spans, largest first."""
        count = func.count()
        rows = await self.session.execute(
            select(HouseNumberRoute.gemeente_code, Gemeente.name, count)
            .join(Gemeente, Gemeente.code == HouseNumberRoute.gemeente_code)
            .where(HouseNumberRoute.dataset_id == _current_dataset(), HouseNumberRoute.pc6 == pc6)
            .group_by(HouseNumberRoute.gemeente_code, Gemeente.name)
            .order_by(count.desc(), HouseNumberRoute.gemeente_code))
        return [(code, name, int(n)) for code, name, n in rows]

    async def pc4_candidates(self, *, pc4: int) -> list[tuple[str, str, int]]:
        """``(code, name, addresses)`` of the gemeenten with addresses in a PC4, largest first."""
        rows = await self.session.execute(
            select(Pc4Gemeente.gemeente_code, Gemeente.name, Pc4Gemeente.addresses)
            .join(Gemeente, Gemeente.code == Pc4Gemeente.gemeente_code)
            .where(Pc4Gemeente.dataset_id == _current_dataset(), Pc4Gemeente.pc4 == pc4)
            .order_by(Pc4Gemeente.addresses.desc(), Pc4Gemeente.gemeente_code))
        return [(code, name, int(n)) for code, name, n in rows]

    async def merges(self) -> dict[str, str]:
        """Herindelingen so far: old code -> the code it went up in."""
        rows = await self.session.execute(select(GemeenteMerge.from_code, GemeenteMerge.into_code))
        return {old: new for old, new in rows}

    async def upsert_gemeenten(self, names: dict[str, str | None]) -> list[str]:
        """Add unknown gemeenten (not on board) and set official names; returns the new codes.

        The ``active`` flag and the settings of known gemeenten are never changed.
        """
        known = {g.code: g for g in await self.session.scalars(
            select(Gemeente).where(Gemeente.code.in_(list(names))))}
        added = []
        for code, name in sorted(names.items()):
            gemeente = known.get(code)
            if gemeente is None:
                self.session.add(Gemeente(code=code, name=name or code, active=False))
                added.append(code)
            elif name and gemeente.name != name:
                gemeente.name = name
        await self.session.flush()
        return added

    async def start(self, *, source: str, year: int | None) -> int:
        """A new, not yet current dataset to load rows into; returns its id."""
        dataset = RoutingDataset(source=source[:200], year=year, is_current=False)
        self.session.add(dataset)
        await self.session.flush()
        return dataset.id

    async def insert(self, model: type[Any], rows: Sequence[tuple[Any, ...]]) -> None:
        """Bulk-insert rows (tuples in ``ROUTING_COLUMNS`` order): COPY on PostgreSQL."""
        if not rows:
            return
        columns = ROUTING_COLUMNS[model]
        connection = await self.session.connection()
        if connection.dialect.name == "postgresql":
            await connection.execute(select(1))  # the driver's transaction has begun
            raw = await connection.get_raw_connection()
            await raw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
                model.__tablename__, records=rows, columns=list(columns))
        else:
            await connection.execute(insert(model.__table__),
                                     [dict(zip(columns, row, strict=True)) for row in rows])

    async def activate(self, *, dataset_id: int, **stats: int) -> None:
        """Make a loaded dataset current in one UPDATE and delete every other dataset's rows.

        Raises:
            LookupError: the dataset is gone (another import discarded it as unfinished).
        """
        found = await self.session.execute(
            update(RoutingDataset).where(RoutingDataset.id == dataset_id)
            .values(completed_at=utcnow(), **stats).execution_options(synchronize_session=False))
        if int(found.rowcount) != 1:  # type: ignore[attr-defined]
            raise LookupError(f"routing dataset {dataset_id} was removed by another import")
        await self.session.execute(
            update(RoutingDataset).values(is_current=RoutingDataset.id == dataset_id)
            .execution_options(synchronize_session=False))
        for model in _ROUTING_TABLES:
            await self.session.execute(delete(model).where(model.dataset_id != dataset_id))

    async def discard(self, *, dataset_id: int | None = None) -> int:
        """Delete one unfinished dataset, or (None) every unfinished one; returns how many."""
        query = select(RoutingDataset.id).where(RoutingDataset.is_current.is_(False),
                                                RoutingDataset.completed_at.is_(None))
        if dataset_id is not None:
            query = query.where(RoutingDataset.id == dataset_id)
        ids = list(await self.session.scalars(query))
        if ids:
            for model in _ROUTING_TABLES:
                await self.session.execute(delete(model).where(model.dataset_id.in_(ids)))
            await self.session.execute(delete(RoutingDataset).where(RoutingDataset.id.in_(ids)))
        return len(ids)

    async def count_rows(self, model: type[Any], *, dataset_id: int | None = None) -> int:
        """How many rows a routing table holds (of one dataset, or in all)."""
        query = select(func.count()).select_from(model)
        if dataset_id is not None:
            query = query.where(model.dataset_id == dataset_id)
        return int(await self.session.scalar(query) or 0)


class MergeRepository:
    """The writes of a herindeling: everything of one gemeente code moves to another."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _move(self, model: type[Any], source: str, target: str, *where: Any) -> int:
        result = await self.session.execute(
            update(model).where(model.gemeente_code == source, *where)
            .values(gemeente_code=target).execution_options(synchronize_session=False))
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def get(self, *, from_code: str) -> GemeenteMerge | None:
        """The recorded merge of an old code, if any."""
        return await self.session.get(GemeenteMerge, from_code)

    async def record(self, *, source: str, target: str) -> None:
        """Remember the merge (for later imports); earlier merges into ``source`` follow it."""
        await self.session.execute(
            update(GemeenteMerge).where(GemeenteMerge.into_code == source)
            .values(into_code=target).execution_options(synchronize_session=False))
        if await self.get(from_code=source) is None:
            self.session.add(GemeenteMerge(from_code=source, into_code=target))
        await self.session.flush()

    async def move_pc4_routes(self, *, source: str, target: str) -> int:
        """Configured PC4 areas."""
        return await self._move(Pc4Route, source, target)

    async def move_imported_routing(self, *, source: str, target: str) -> int:
        """Imported PC6, house-number and PC4 rows; a PC6 no longer split becomes whole."""
        moved = await self._move(Pc6Route, source, target)
        moved += await self._move(HouseNumberRoute, source, target)
        for row in list(await self.session.scalars(
                select(Pc4Gemeente).where(Pc4Gemeente.gemeente_code == source))):
            into = await self.session.get(Pc4Gemeente, (row.dataset_id, row.pc4, target))
            if into is None:
                self.session.add(Pc4Gemeente(dataset_id=row.dataset_id, pc4=row.pc4,
                                             gemeente_code=target, addresses=row.addresses))
            else:
                into.addresses += row.addresses
            await self.session.delete(row)
            moved += 1
        await self.session.flush()
        whole = await self.session.execute(
            select(HouseNumberRoute.dataset_id, HouseNumberRoute.pc6)
            .group_by(HouseNumberRoute.dataset_id, HouseNumberRoute.pc6)
            .having(func.min(HouseNumberRoute.gemeente_code) == target,
                    func.max(HouseNumberRoute.gemeente_code) == target))
        for dataset_id, pc6 in whole.all():
            await self.session.execute(
                update(Pc6Route).where(Pc6Route.dataset_id == dataset_id, Pc6Route.pc6 == pc6)
                .values(gemeente_code=target).execution_options(synchronize_session=False))
            await self.session.execute(delete(HouseNumberRoute).where(
                HouseNumberRoute.dataset_id == dataset_id, HouseNumberRoute.pc6 == pc6))
        return moved

    async def move_alert_chats(self, *, source: str, target: str) -> int:
        """Alert chats; a chat both gemeenten have is kept once."""
        have = select(AlertChat.chat_id).where(AlertChat.gemeente_code == target)
        await self.session.execute(delete(AlertChat).where(
            AlertChat.gemeente_code == source, AlertChat.chat_id.in_(have)))
        return await self._move(AlertChat, source, target)

    async def move_staff(self, *, source: str, target: str) -> tuple[int, list[Staff]]:
        """Staff; returns how many moved and the old records of people already in ``target``.

        Someone in both keeps the target record (active, with the old role, when only the old
        record was active) and takes the signals the old record owned; the old record is
        deactivated.
        """
        existing = {s.telegram_id: s for s in await self.session.scalars(
            select(Staff).where(Staff.gemeente_code == target))}
        moved, joined = 0, []
        for member in list(await self.session.scalars(
                select(Staff).where(Staff.gemeente_code == source).order_by(Staff.id))):
            kept = existing.get(member.telegram_id)
            if kept is None:
                member.gemeente_code = target
                moved += 1
                continue
            owned = await self.session.execute(
                update(Signal).where(Signal.owner_id == member.id).values(owner_id=kept.id)
                .execution_options(synchronize_session=False))
            if member.active or owned.rowcount:  # type: ignore[attr-defined]
                if member.active and not kept.active:  # the old record was the live one
                    kept.active, kept.role = True, member.role
                member.active, member.pending = False, None
                joined.append(member)
        await self.session.flush()
        return moved, joined

    async def move_signals(self, *, source: str, target: str) -> tuple[int, int]:
        """Every signal: ``(open, closed)`` moved."""
        opened = await self._move(Signal, source, target, Signal.status != "closed")
        return opened, await self._move(Signal, source, target)

    async def move_not_on_board(self, *, source: str, target: str) -> int:
        """The anonymous counts of signals from the time the gemeente was not on board."""
        return await self._move(NotOnBoard, source, target)

    async def move_organisations(self, *, source: str, target: str, now: datetime) -> int:
        """Signaler organisations and unused, unexpired staff invitations."""
        moved = await self._move(Organisation, source, target)
        return moved + await self._move(Invite, source, target, Invite.used_at.is_(None),
                                        Invite.expires_at > now)

    async def move_drafts(self, *, source: str, target: str, target_name: str) -> int:
        """Conversations in progress routed to ``source``.

        Each rewrite checks the draft's version (and bumps it), so a step taken at the same
        time either sees the rewritten draft or makes this pass read the draft again.
        """
        moved = 0
        for _ in range(3):
            conflicts = 0
            for draft in list(await self.session.scalars(
                    select(Draft).execution_options(populate_existing=True))):
                answers = dict(draft.state.get("answers") or {})
                if answers.get("gemeente") != source:
                    continue
                answers.update(gemeente=target, gemeente_name=target_name)
                result = await self.session.execute(
                    update(Draft).where(Draft.id == draft.id, Draft.version == draft.version)
                    .values(state=Sealed({**draft.state, "answers": answers},
                                         sealing_context(Draft, "state", draft)),
                            version=draft.version + 1)
                    .execution_options(synchronize_session=False))
                changed = int(result.rowcount)  # type: ignore[attr-defined]
                moved, conflicts = moved + changed, conflicts + 1 - changed
            if not conflicts:
                break
        return moved
