"""Encrypted columns bound to their rows: sealed on flush, opened on load (storage.crypto)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from sqlalchemy import (
    event,
    inspect,
)
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from storage.crypto import CryptoError, Sealed, context
from storage.encrypted import EncryptedJSON, keyring_of
from storage.models.base import Base
from storage.models.news import NewsSubscription
from storage.models.signals import DraftRow, Outbox, RelayedQuestion, Signal, Signaler, SignalEvent

_MISSING = object()


# -- encrypted columns, bound to their rows (storage.crypto)

# Per model: each encrypted attribute and the columns of the row it is bound to (they say
# whose value it is: a ciphertext moved to another row, signal or chat does not decrypt).
SEALED: dict[type[Base], dict[str, tuple[str, ...]]] = {
    Signaler: {"external_id": ("channel", "external_hash")},
    NewsSubscription: {"external_id": ("channel", "external_hash")},
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
