"""Encryption at rest (AES-256-GCM) and keyed lookup hashes (HMAC-SHA256).

Every personal field is stored as ``v2.<key id>.<base64(nonce + ciphertext)>``. The key id
says which key wrote it, so old keys can still read during a rotation. The associated data
binds each value to its place: the key id, the table and column, and the row (the columns
that say whose value it is, ``storage.models.SEALED``). A value moved to another row or
column does not decrypt. Identifiers that must be found again (a signaler's Telegram id) are
stored as an HMAC with a key derived from the encryption key: a stolen database does not
reveal who reported whom. There is no plaintext fallback: without a key nothing personal
can be written or read. ``v1`` values (bound to the key id only) are read by the migration
that rewrites them, nowhere else. Nothing here needs the database: the encrypted column
types are in ``storage.encrypted``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PREFIX = "v2"


class CryptoError(ValueError):
    """A key is missing or malformed, or a value was written with an unknown key."""


def generate_key() -> str:
    """A new random key, urlsafe base64 (what ``signaalbot keys generate`` prints)."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def parse_key(text: str) -> bytes:
    """Decode a urlsafe-base64 32-byte key; raises ``CryptoError`` when it is not one."""
    try:
        raw = base64.urlsafe_b64decode(text.strip().encode())
    except (binascii.Error, ValueError):
        raise CryptoError("not urlsafe base64") from None
    if len(raw) != 32:
        raise CryptoError(f"must be 32 bytes, not {len(raw)}")
    return raw


class _Key:
    def __init__(self, raw: bytes) -> None:
        self.id = hashlib.sha256(b"signaalbot-key-id" + raw).hexdigest()[:8]
        self.aead = AESGCM(raw)
        self.lookup = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                           info=b"signaalbot-lookup").derive(raw)


class Keyring:
    """The current key (writes) and older keys (reads during a rotation)."""

    def __init__(self, current: str, old: Sequence[str] = ()) -> None:
        self.current = _Key(parse_key(current))
        self._keys = {self.current.id: self.current}
        for text in old:
            key = _Key(parse_key(text))
            self._keys.setdefault(key.id, key)

    def encrypt(self, plaintext: str, context: str) -> str:
        """Encrypt with the current key, bound to ``context`` (where the value is stored)."""
        nonce = os.urandom(12)
        sealed = self.current.aead.encrypt(nonce, plaintext.encode(),
                                           _associated(self.current.id, context))
        return f"{PREFIX}.{self.current.id}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"

    def decrypt(self, token: str, context: str) -> str:
        """Decrypt a value written by any known key for this ``context``."""
        return self._open(token, PREFIX, lambda key_id: _associated(key_id, context))

    def decrypt_legacy(self, token: str) -> str:
        """Decrypt a ``v1`` value (bound to its key id only), to rewrite it as ``v2``."""
        return self._open(token, "v1", str.encode)

    def _open(self, token: str, prefix: str, associated: Callable[[str], bytes]) -> str:
        try:
            found, key_id, body = token.split(".", 2)
            key = self._keys[key_id]
            raw = base64.urlsafe_b64decode(body.encode())
            if found != prefix:
                raise CryptoError(f"unknown format {found!r}")
            return key.aead.decrypt(raw[:12], raw[12:], associated(key_id)).decode()
        except KeyError:
            raise CryptoError("written with a key that is not configured") from None
        except (ValueError, InvalidTag) as error:
            raise CryptoError(f"cannot decrypt here (moved, altered or another key): "
                              f"{error}") from None

    def encrypt_json(self, value: Any, context: str) -> str:
        """Serialise to JSON and encrypt with the current key, bound to ``context``."""
        return self.encrypt(json.dumps(value, ensure_ascii=False), context)

    def decrypt_json(self, token: str, context: str) -> Any:
        """Decrypt and parse a value ``encrypt_json`` wrote for ``context``."""
        return json.loads(self.decrypt(token, context))

    def lookup_hash(self, value: str) -> str:
        """The keyed hash that finds ``value`` again (current key)."""
        return hmac.new(self.current.lookup, value.encode(), hashlib.sha256).hexdigest()

    def lookup_hashes(self, value: str) -> list[str]:
        """The keyed hashes of ``value`` under every known key, current first."""
        return [hmac.new(key.lookup, value.encode(), hashlib.sha256).hexdigest()
                for key in [self.current, *(k for k in self._keys.values()
                                             if k is not self.current)]]


def _associated(key_id: str, context: str) -> bytes:
    return f"{key_id}|{context}".encode()


def context(field: str, row: Sequence[Any]) -> str:
    """Where a value is stored: ``table.column`` and the row's binding values."""
    return "|".join([field, *(_part(value) for value in row)])


def _part(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return str(value)


@dataclass(frozen=True, slots=True)
class Sealed:
    """A value on its way into an encrypted column, with the context it is bound to."""

    value: Any
    context: str
