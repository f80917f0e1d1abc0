"""Encryption at rest (AES-256-GCM) and keyed lookup hashes (HMAC-SHA256).

Every personal field is stored as ``v1.<key id>.<base64(nonce + ciphertext)>``. The key id
says which key wrote it, so old keys can still read during a rotation. Identifiers that must
be found again (a signaler's Telegram id) are stored as an HMAC with a key derived from the
encryption key: a stolen database does not reveal who reported whom. There is no plaintext
fallback: without a key nothing personal can be written or read.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
from collections.abc import Sequence
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Text, TypeDecorator
from sqlalchemy.engine import Dialect

PREFIX = "v1"


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

    def encrypt(self, plaintext: str) -> str:
        """Encrypt with the current key."""
        nonce = os.urandom(12)
        sealed = self.current.aead.encrypt(nonce, plaintext.encode(), self.current.id.encode())
        return f"{PREFIX}.{self.current.id}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"

    def decrypt(self, token: str) -> str:
        """Decrypt a value written by any known key."""
        try:
            prefix, key_id, body = token.split(".", 2)
            key = self._keys[key_id]
            raw = base64.urlsafe_b64decode(body.encode())
            if prefix != PREFIX:
                raise CryptoError(f"unknown format {prefix!r}")
            return key.aead.decrypt(raw[:12], raw[12:], key_id.encode()).decode()
        except KeyError:
            raise CryptoError("written with a key that is not configured") from None
        except (ValueError, InvalidTag) as error:
            raise CryptoError(f"cannot decrypt: {error}") from None

    def encrypt_json(self, value: Any) -> str:
        """Serialise to JSON and encrypt with the current key."""
        return self.encrypt(json.dumps(value, ensure_ascii=False))

    def decrypt_json(self, token: str) -> Any:
        """Decrypt and parse a value ``encrypt_json`` wrote."""
        return json.loads(self.decrypt(token))

    def needs_rotation(self, token: str) -> bool:
        """Whether a value was written with an older key."""
        return token.split(".", 2)[1] != self.current.id

    def lookup_hash(self, value: str) -> str:
        """The keyed hash that finds ``value`` again (current key)."""
        return hmac.new(self.current.lookup, value.encode(), hashlib.sha256).hexdigest()

    def lookup_hashes(self, value: str) -> list[str]:
        """The keyed hashes of ``value`` under every known key, current first."""
        return [hmac.new(key.lookup, value.encode(), hashlib.sha256).hexdigest()
                for key in [self.current, *(k for k in self._keys.values()
                                             if k is not self.current)]]


def attach(dialect: Dialect, keyring: Keyring) -> None:
    """Give an engine's dialect the keyring its encrypted columns use."""
    dialect.signaalbot_keyring = keyring  # type: ignore[attr-defined]


def _keyring(dialect: Dialect) -> Keyring:
    keyring = getattr(dialect, "signaalbot_keyring", None)
    if keyring is None:
        raise CryptoError("no encryption key configured for this database engine")
    return keyring  # type: ignore[no-any-return]


class EncryptedText(TypeDecorator[str]):
    """A text column stored encrypted."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        """Encrypt on the way in."""
        return None if value is None else _keyring(dialect).encrypt(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        """Decrypt on the way out."""
        return None if value is None else _keyring(dialect).decrypt(value)


class EncryptedJSON(TypeDecorator[Any]):
    """A JSON value stored encrypted (as text)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        """Serialise and encrypt."""
        return None if value is None else _keyring(dialect).encrypt_json(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        """Decrypt and parse."""
        return None if value is None else _keyring(dialect).decrypt_json(value)
