"""Encrypted columns: SQLAlchemy types that seal personal fields with ``storage.crypto``.

The keyring travels on the engine's dialect (``attach`` when the engine is made), so a
column finds it when a statement is compiled, whichever session runs it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Text, TypeDecorator
from sqlalchemy.engine import Dialect

from storage.crypto import CryptoError, Keyring, Sealed


def attach(dialect: Dialect, keyring: Keyring) -> None:
    """Give an engine's dialect the keyring its encrypted columns use."""
    dialect.signaalbot_keyring = keyring  # type: ignore[attr-defined]


def keyring_of(dialect: Dialect) -> Keyring:
    """The keyring attached to an engine's dialect."""
    keyring = getattr(dialect, "signaalbot_keyring", None)
    if keyring is None:
        raise CryptoError("no encryption key configured for this database engine")
    return keyring  # type: ignore[no-any-return]


class EncryptedText(TypeDecorator[str]):
    """A text column stored encrypted, bound to its row.

    What is written must come ``Sealed`` with its context (``storage.models`` does that on
    every flush); an empty text (an erased message) is stored as it is. Reading gives the
    stored token: ``storage.models`` decrypts it with the row's context when it loads a row.
    """

    impl = Text
    cache_ok = True
    json = False

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        """Encrypt on the way in."""
        if value is None or (value == "" and not self.json):
            return value
        if not isinstance(value, Sealed):
            raise CryptoError("an encrypted value needs the row it belongs to (Sealed)")
        keys = keyring_of(dialect)
        if self.json:
            return keys.encrypt_json(value.value, value.context)
        return keys.encrypt(value.value, value.context)


class EncryptedJSON(EncryptedText):
    """A JSON value stored encrypted (as text), bound to its row like ``EncryptedText``."""

    cache_ok = True
    json = True
