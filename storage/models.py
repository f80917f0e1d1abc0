"""SQLAlchemy models: portable between SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from enum import StrEnum
from functools import cache
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    event,
    inspect,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.orm.attributes import set_committed_value

from bot.core.clock import utcnow
from bot.core.people import Person
from bot.core.workflow import EventAction, StaffRole, State
from storage.crypto import CryptoError, Sealed, context
from storage.encrypted import EncryptedJSON, EncryptedText, keyring_of

_MISSING = object()
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Store in UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Read back as aware UTC."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class StoredEnum(TypeDecorator[StrEnum]):
    """A ``StrEnum`` stored as its plain string value; an unknown value is not written."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[StrEnum], length: int) -> None:
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        """Store the value, checked."""
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: str | None, dialect: Dialect) -> StrEnum | None:
        """Read back as the enum."""
        return None if value is None else self.enum(value)


class Base(DeclarativeBase):
    """Declarative base with a naming convention for stable migration names."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON()}


class Gemeente(Base):
    """A gemeente (CBS code) and whether it takes part."""

    __tablename__ = "gemeenten"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    fallback_advice: Mapped[str | None] = mapped_column(Text)
    escalation_hours: Mapped[float] = mapped_column(default=24.0)
    retention_days: Mapped[float] = mapped_column(default=30.0)
    silent_days: Mapped[float] = mapped_column(default=5.0)
    backup_chat_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AlertChat(Base):
    """A Telegram chat (person or team group) that receives a gemeente's alerts."""

    __tablename__ = "alert_chats"
    __table_args__ = (UniqueConstraint("gemeente_code", "chat_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    gemeente_code: Mapped[str] = mapped_column(ForeignKey("gemeenten.code", ondelete="CASCADE"))
    chat_id: Mapped[int] = mapped_column(BigInteger)


class Staff(Base):
    """A regisseur or team member of one gemeente: a person on a channel (its id there)."""

    __tablename__ = "staff"
    __table_args__ = (UniqueConstraint("gemeente_code", "channel", "external_id"),
                      Index("ix_staff_channel_external_id", "channel", "external_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    gemeente_code: Mapped[str] = mapped_column(
        ForeignKey("gemeenten.code", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(16), default="telegram")
    external_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(80))
    role: Mapped[StaffRole] = mapped_column(StoredEnum(StaffRole, 16))  # regisseur: also admin
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    source: Mapped[str] = mapped_column(String(8), default="config")  # or "invite"
    pending: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # awaited typed note/question

    @property
    def person(self) -> Person:
        """Who this is: (channel, external id)."""
        return Person(self.channel, self.external_id)


class BlockedChat(Base):
    """A staff chat or team group the bot could not reach (blocked, removed, deleted).

    It gets no alerts until ``retry_at`` (later and later, up to a day, while it stays
    unreachable), or until its person writes to the bot or the bot is added to the group again.
    """

    __tablename__ = "blocked_chats"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    blocked_at: Mapped[datetime] = mapped_column(default=utcnow)
    retry_at: Mapped[datetime]
    failures: Mapped[int] = mapped_column(Integer, default=1)


class Pc4Route(Base):
    """Which gemeente a four-digit postcode area belongs to."""

    __tablename__ = "pc4_routes"

    pc4: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    gemeente_code: Mapped[str] = mapped_column(
        ForeignKey("gemeenten.code", ondelete="CASCADE"), index=True
    )


class Invite(Base):
    """A one-time, expiring invitation for a staff member; only a hash of the token is kept."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    gemeente_code: Mapped[str] = mapped_column(ForeignKey("gemeenten.code", ondelete="CASCADE"))
    role: Mapped[StaffRole] = mapped_column(StoredEnum(StaffRole, 16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))


class Organisation(Base):
    """A signaler organisation (a PostNL depot, a bank office): its deep link pre-fills role."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(32))
    gemeente_code: Mapped[str | None] = mapped_column(
        ForeignKey("gemeenten.code", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class GemeenteText(Base):
    """A text a gemeente wants in its own words (welcome, privacy, thanks, feedback...)."""

    __tablename__ = "gemeente_texts"

    gemeente_code: Mapped[str] = mapped_column(
        ForeignKey("gemeenten.code", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    text: Mapped[str] = mapped_column(Text)


class Signaler(Base):
    """A person who reports: found by a keyed hash of their channel id, which is encrypted."""

    __tablename__ = "signalers"
    __table_args__ = (UniqueConstraint("channel", "external_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_hash: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str] = mapped_column("external_enc", EncryptedText)
    role: Mapped[str | None] = mapped_column(String(32))
    declines_questions: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DraftRow(Base):
    """A conversation in progress (encrypted); ``version`` guards against concurrent writers."""

    __tablename__ = "drafts"
    __table_args__ = (UniqueConstraint("channel", "external_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    # The last updates that took effect on this draft: a redelivered copy changes nothing.
    recent_updates: Mapped[list[int]] = mapped_column(JSON, default=list, server_default="[]")


class Signal(Base):
    """A filed report.

    ``answers`` holds the questionnaire answers, personal fields included; ``role``, ``signs``,
    ``pc4`` and ``choices`` (answers to counted choice questions, by question id) are anonymous
    copies for monitoring that outlive the personal fields.
    """

    __tablename__ = "signals"
    __table_args__ = (  # monitoring: a gemeente's signals of a period
        Index("ix_signals_gemeente_created", "gemeente_code", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(20), unique=True)
    gemeente_code: Mapped[str] = mapped_column(ForeignKey("gemeenten.code"), index=True)
    signaler_id: Mapped[int | None] = mapped_column(
        ForeignKey("signalers.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[State] = mapped_column(StoredEnum(State, 16), default=State.NEW)
    questionnaire: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(32))
    signs: Mapped[list[str]] = mapped_column(JSON)
    pc4: Mapped[int] = mapped_column(Integer)
    choices: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Bound to the signal's id, so written once the row has one (SignalRepository.add).
    answers: Mapped[dict[str, Any] | None] = mapped_column(EncryptedJSON)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"))
    outcome: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    first_contact_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[datetime | None] = mapped_column(index=True)  # next escalation or reminder
    erased_at: Mapped[datetime | None]  # personal fields erased (retention or /vergeetmij)


class SignalEvent(Base):
    """One entry of a signal's history: who did what, when."""

    __tablename__ = "signal_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    signal_id: Mapped[int] = mapped_column(
        ForeignKey("signals.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    action: Mapped[EventAction] = mapped_column(StoredEnum(EventAction, 16))
    detail: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON, default=dict)


class RelayedQuestion(Base):
    """A staff question relayed to the signaler through the bot (who stays anonymous)."""

    __tablename__ = "relayed_questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    signal_id: Mapped[int] = mapped_column(
        ForeignKey("signals.id", ondelete="CASCADE"), index=True
    )
    asker_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(EncryptedText)
    asked_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    outbox_id: Mapped[int | None] = mapped_column(Integer)
    closed_at: Mapped[datetime | None]
    result: Mapped[str | None] = mapped_column(String(16))  # answered / expired / declined


class ProcessedUpdate(Base):
    """A channel update whose effect was committed; a redelivered copy changes nothing."""

    __tablename__ = "processed_updates"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class NotOnBoard(Base):
    """An anonymous count of a signal for a gemeente that does not take part."""

    __tablename__ = "not_on_board"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    gemeente_code: Mapped[str | None] = mapped_column(String(6))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


_LIVE_ALERT = "kind = 'alert' AND failed_at IS NULL"


class Outbox(Base):
    """A message to send, written in the same transaction as its cause.

    Once sent it is the record of a copy in a chat (``message_id``), so the copy can be
    blanked or deleted later. A Telegram staff chat or group is ``chat_id``, a staff chat on
    another ``channel`` is ``address``; a signaler's chat is only ever stored encrypted, as
    ``recipient``.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_pending", "sent_at", "failed_at", "next_attempt_at"),
        Index("ix_outbox_signal_id", "signal_id"),
        # One live alert per signal and chat, whatever re-routing or a crash does.
        Index("uq_outbox_live_alert", "signal_id", "chat_id", unique=True,
              sqlite_where=text(_LIVE_ALERT), postgresql_where=text(_LIVE_ALERT)),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), default="telegram")
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    address: Mapped[str | None] = mapped_column(String(64))  # a staff chat not on Telegram
    recipient: Mapped[str | None] = mapped_column(EncryptedText)  # a signaler's chat id
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(EncryptedText)
    buttons: Mapped[list[list[list[str]]] | None] = mapped_column(JSON)  # rows of (label, data)
    edit_of: Mapped[int | None] = mapped_column(Integer)  # outbox id of the message to edit
    signal_id: Mapped[int | None] = mapped_column(ForeignKey("signals.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    failed_at: Mapped[datetime | None]  # permanently undeliverable
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None]
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    last_error: Mapped[str | None] = mapped_column(String(200))
    erased_at: Mapped[datetime | None]  # the copy's text is gone here; its erasure is queued

    @property
    def target(self) -> int | str:
        """The chat to deliver to (on Telegram, a number)."""
        if self.chat_id is not None:
            return self.chat_id
        if self.address is not None:
            return self.address
        return int(self.recipient or 0) if self.channel == "telegram" else self.recipient or ""


class RoutingDataset(Base):
    """One import of CBS's "buurt, wijk en gemeente voor postcode huisnummer" table.

    Its rows are loaded while it is not ``is_current``; one UPDATE makes it current, so readers
    never see a half-imported table. ``completed_at`` stays empty while rows are loading.
    """

    __tablename__ = "routing_datasets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]
    is_current: Mapped[bool] = mapped_column(Boolean, default=False)
    addresses: Mapped[int] = mapped_column(BigInteger, default=0)
    pc6_count: Mapped[int] = mapped_column(Integer, default=0)
    split_pc6_count: Mapped[int] = mapped_column(Integer, default=0)
    pc4_count: Mapped[int] = mapped_column(Integer, default=0)
    gemeente_count: Mapped[int] = mapped_column(Integer, default=0)


class Pc6Route(Base):
    """A six-character postcode and its gemeente; NULL when it spans several (see house numbers)."""

    __tablename__ = "pc6_routes"

    dataset_id: Mapped[int] = mapped_column(
        ForeignKey("routing_datasets.id", ondelete="CASCADE"), primary_key=True)
    pc6: Mapped[str] = mapped_column(String(6), primary_key=True)
    gemeente_code: Mapped[str | None] = mapped_column(
        ForeignKey("gemeenten.code", ondelete="CASCADE"))


class HouseNumberRoute(Base):
    """The gemeente of one address, kept only for postcodes that span several gemeenten."""

    __tablename__ = "house_number_routes"

    dataset_id: Mapped[int] = mapped_column(
        ForeignKey("routing_datasets.id", ondelete="CASCADE"), primary_key=True)
    pc6: Mapped[str] = mapped_column(String(6), primary_key=True)
    house_number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    gemeente_code: Mapped[str] = mapped_column(ForeignKey("gemeenten.code", ondelete="CASCADE"))


class Pc4Gemeente(Base):
    """How many addresses of a four-digit postcode area lie in a gemeente (from the import)."""

    __tablename__ = "pc4_gemeenten"

    dataset_id: Mapped[int] = mapped_column(
        ForeignKey("routing_datasets.id", ondelete="CASCADE"), primary_key=True)
    pc4: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    gemeente_code: Mapped[str] = mapped_column(
        ForeignKey("gemeenten.code", ondelete="CASCADE"), primary_key=True)
    addresses: Mapped[int] = mapped_column(Integer)


class GemeenteMerge(Base):
    """A herindeling: ``from_code`` went up in ``into_code`` (re-applied to later imports)."""

    __tablename__ = "gemeente_merges"

    from_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    into_code: Mapped[str] = mapped_column(ForeignKey("gemeenten.code", ondelete="CASCADE"))
    merged_at: Mapped[datetime] = mapped_column(default=utcnow)


# -- encrypted columns, bound to their rows (storage.crypto)

# Per model: each encrypted attribute and the columns of the row it is bound to (they say
# whose value it is: a ciphertext moved to another row, signal or chat does not decrypt).
SEALED: dict[type[Base], dict[str, tuple[str, ...]]] = {
    Signaler: {"external_id": ("channel", "external_hash")},
    DraftRow: {"state": ("channel", "external_hash")},
    Signal: {"answers": ("id",)},
    SignalEvent: {"detail": ("signal_id", "action", "at")},
    RelayedQuestion: {"text": ("signal_id", "asked_at")},
    Outbox: {"text": ("chat_id", "signal_id", "kind", "edit_of"),
             "recipient": ("signal_id", "kind")},
}


def field_of(model: type[Base], attribute: str) -> str:
    """``table.column`` of an encrypted attribute (the first part of its context)."""
    return f"{model.__tablename__}.{model.__table__.c[_column(model, attribute)].name}"


def _column(model: type[Base], attribute: str) -> str:
    return inspect(model).attrs[attribute].columns[0].key


@cache
def _binding(model: type[Base], attribute: str) -> tuple[str, tuple[str, ...], frozenset[str]]:
    """An encrypted attribute's field, the keys it is bound to, and those that must be set."""
    keys = SEALED[model][attribute]
    required = frozenset(key for key in keys if not model.__table__.c[_column(model, key)].nullable)
    return field_of(model, attribute), keys, required


@cache
def _is_json(model: type[Base], attribute: str) -> bool:
    return isinstance(model.__table__.c[_column(model, attribute)].type, EncryptedJSON)


def sealing_context(model: type[Base], attribute: str, row: Any) -> str:
    """The context an encrypted attribute of ``row`` (an object or a mapping) is bound to."""
    field, keys, required = _binding(model, attribute)
    values = [row[key] if isinstance(row, Mapping) else getattr(row, key) for key in keys]
    for key, value in zip(keys, values, strict=True):
        if value is None and key in required:
            raise CryptoError(f"{field} is bound to {key}, which is not set yet (give it "
                              "before the row is written)")
    return context(field, values)


@event.listens_for(Session, "before_flush")
def _seal(session: Session, _flush: Any, _instances: Any) -> None:
    """Bind every new or changed encrypted value to its row before it is written."""
    sealed = session.info.setdefault("sealed", [])
    for obj in [*session.new, *session.dirty]:
        fields = SEALED.get(type(obj))
        if not fields:
            continue
        state = inspect(obj)
        for attribute, keys in fields.items():
            value = state.dict.get(attribute, _MISSING)
            if value is _MISSING or value is None or value == "" or isinstance(value, Sealed):
                continue
            changed = [state.attrs[name].history.has_changes() for name in (attribute, *keys)]
            if obj in session.new or any(changed):
                setattr(obj, attribute, Sealed(value, sealing_context(type(obj), attribute, obj)))
                sealed.append((obj, attribute, value))


@event.listens_for(Session, "after_flush_postexec")
def _unseal(session: Session, _flush: Any) -> None:
    """The objects hold the plain values again once they are written."""
    for obj, attribute, value in session.info.pop("sealed", ()):
        set_committed_value(obj, attribute, value)


def _open(obj: Any, query: Any, attributes: Any = None) -> None:
    fields = SEALED.get(type(obj))
    session = query.session if query is not None else inspect(obj).session
    if not fields or session is None:
        return
    keys = keyring_of(session.get_bind().dialect)
    state = inspect(obj)
    for attribute in fields:
        token = state.dict.get(attribute)
        if (attributes is None or attribute in attributes) and isinstance(token, str) and token:
            where = sealing_context(type(obj), attribute, obj)
            json = _is_json(type(obj), attribute)
            set_committed_value(obj, attribute, keys.decrypt_json(token, where) if json
                                else keys.decrypt(token, where))


@event.listens_for(Base, "load", propagate=True)
def _on_load(obj: Any, query: Any) -> None:
    """Decrypt a loaded row's encrypted values, each with the context of this row."""
    _open(obj, query)


@event.listens_for(Base, "refresh", propagate=True)
def _on_refresh(obj: Any, query: Any, attributes: Any) -> None:
    """Decrypt the refreshed encrypted values of a row."""
    _open(obj, query, attributes)
