"""Settings: one TOML file plus ``SIGNAALBOT_`` environment overrides.

Precedence: explicit arguments > environment (``SIGNAALBOT_TELEGRAM__TOKEN``) > TOML > defaults.
The TOML path comes from ``--config`` or ``SIGNAALBOT_CONFIG``; nothing is read at import time.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AnyHttpUrl,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from bot.core import messages
from bot.core.questionnaire import ReportKind
from bot.settings_errors import CONFIG_ENV, ENV_PREFIX, describe, stray_environment
from bot.settings_gemeente import (
    GemeenteSettings,
    OrganisationSettings,
    Table,
    TelegramId,
    within,
)
from storage.crypto import CryptoError, Keyring, parse_key

MISSING_CHANNEL = ("no channel: set telegram.token (SIGNAALBOT_TELEGRAM__TOKEN), "
                   "signal.account, web.public_url, or more than one")
MISSING_KEY = ("security.encryption_key: missing; make one with `signaalbot keys generate` and "
               "set SIGNAALBOT_SECURITY__ENCRYPTION_KEY")


class ConfigError(Exception):
    """A configuration problem, phrased as one line that names the setting."""


class WebhookSettings(Table):
    """Webhook mode: Telegram posts updates to ``url``; ``secret_token`` is checked on each."""

    url: str = ""
    listen: str = "127.0.0.1"
    port: Annotated[int, within(1, 65535)] = 8443
    secret_token: SecretStr = SecretStr("")


class TelegramSettings(Table):
    """How to reach Telegram (or Telegram's self-hosted Bot API server)."""

    token: SecretStr = SecretStr("")
    bot_username: str = ""  # for invitation and organisation links made on the command line
    base_url: AnyHttpUrl = AnyHttpUrl("https://api.telegram.org/bot")
    mode: Literal["polling", "webhook"] = "polling"
    webhook: WebhookSettings = WebhookSettings()
    # HTTP client for the Bot API: "aiohttp" (AiohttpRequest) or "httpx" (PTB's stock one).
    http_backend: Literal["aiohttp", "httpx"] = "aiohttp"
    # Chats served at once (each chat's updates stay in order); 0 or 1: one update at a time.
    # At most 1024: each is a task of its own that may hold a database connection.
    concurrent_updates: Annotated[int, within(0, 1024)] = 64
    # Connections for ordinary Bot API calls (getUpdates has its own); at most 1024 sockets.
    connection_pool_size: Annotated[int, within(1, 1024)] = 128
    # Messages a second the bot sends at most: Telegram allows a bot about 30 (a local Bot API
    # server passes on the same limit); 28 leaves room for requests that bunch on their way.
    # More than 30 only makes sense against a stand-in: benchmarks/run.py lifts the cap with
    # 1 000 000, the upper bound.
    messages_per_second: Annotated[float, within(1, 1_000_000)] = 28

    @field_validator("token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        token = value.get_secret_value()
        if token and not re.fullmatch(r"\d+:[\w-]{5,}", token):
            raise ValueError("does not look like a BotFather token (digits:letters)")
        return value


class SignalSettings(Table):
    """How to reach signal-cli's HTTP daemon (``signal-cli -a ACCOUNT daemon --http``).

    ``account`` empty: no Signal channel. The daemon has no authentication: keep it on
    loopback. Start it with ``--receive-mode on-connection`` (see README).
    """

    account: str = ""  # the bot's registered number, +31...
    rpc_url: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:8080/api/v1/rpc")
    events_url: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:8080/api/v1/events")
    # Chats the bot writes to get a disappearing-messages timer of this many days, so copies
    # that Signal no longer lets the bot delete (after 24 hours) go by themselves. 0: none.
    disappearing_days: Annotated[int, within(0, 365)] = 7
    # People served at once (each person's messages stay in order).
    concurrent_people: Annotated[int, within(1, 1024)] = 64

    @field_validator("account")
    @classmethod
    def _number_shape(cls, value: str) -> str:
        if value and not re.fullmatch(r"\+\d{8,15}", value):
            raise ValueError("the bot's Signal number in international form, like +31612345678")
        return value


class WebSettings(Table):
    """The web chat (``handlers.web``): served by ``signaalbot run`` once ``public_url`` is set.

    ``public_url`` is where people reach it (links and QR codes); put a TLS proxy in front and
    keep ``listen`` on loopback. Cookies are marked Secure when it is https.
    """

    listen: str = "127.0.0.1"
    port: Annotated[int, within(0, 65535)] = 8090  # 0: any free port (tests)
    public_url: str = ""
    max_body_bytes: Annotated[int, within(1024, 1_048_576)] = 16_384  # larger posts: 413
    # Per browser session: at most this many posts in flood_seconds ([security]).
    session_requests: Annotated[int, within(1, 100_000)] = 20
    # Per client address (many people may share one): requests a minute.
    address_requests: Annotated[int, within(1, 1_000_000)] = 300
    # Behind a proxy: the client's address is the last one in X-Forwarded-For.
    trust_forwarded: bool = False

    @field_validator("public_url")
    @classmethod
    def _url_shape(cls, value: str) -> str:
        if value and not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", value):
            raise ValueError("the web chat's address, like https://meld.example.nl")
        return value.rstrip("/")


class DatabaseSettings(Table):
    """Where reports and drafts are stored."""

    url: str = "sqlite+aiosqlite:///signaalbot.db"
    migrate_on_start: bool = True

    @field_validator("url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("use sqlite+aiosqlite:///FILE or postgresql+asyncpg://USER@HOST/DB")
        return value


class IntakeSettings(Table):
    """The signaler conversation."""

    draft_ttl_hours: Annotated[float, within(1, 720)] = 24  # an hour .. 30 days
    # Telegram's messages hold 4096 characters; the alert card needs room around the description.
    description_max_chars: Annotated[int, within(50, 3000)] = 1000
    fallback_advice: str = messages.FALLBACK_ADVICE
    # The kinds of report offered behind the first question's doors; with one, no door.
    flows: Annotated[list[ReportKind], Field(min_length=1)] = Field(
        default_factory=lambda: [ReportKind.SIGNAAL, ReportKind.ZELFMELDING,
                                 ReportKind.VRIJWILLIGER])

    @field_validator("flows")
    @classmethod
    def _no_door(cls, value: list[ReportKind]) -> list[ReportKind]:
        if ReportKind.DEUR in value:
            raise ValueError("the door is not a kind of report")
        return list(dict.fromkeys(value))


class SecuritySettings(Table):
    """Encryption at rest and protection against floods."""

    encryption_key: SecretStr = SecretStr("")  # or SIGNAALBOT_SECURITY__ENCRYPTION_KEY
    old_keys: list[SecretStr] = Field(default_factory=list)  # still readable, during rotation
    # At most this many updates per person in flood_seconds. Up to 100 000: tests and
    # benchmarks switch the guard off that way; the guard keeps a person's recent update times.
    flood_updates: Annotated[int, within(1, 100_000)] = 20
    flood_seconds: Annotated[float, within(1, 3600)] = 10

    @field_validator("encryption_key")
    @classmethod
    def _key_shape(cls, value: SecretStr) -> SecretStr:
        if value.get_secret_value():
            _check_key(value.get_secret_value())
        return value

    @field_validator("old_keys")
    @classmethod
    def _old_key_shapes(cls, value: list[SecretStr]) -> list[SecretStr]:
        for key in value:
            _check_key(key.get_secret_value())
        return value


def _check_key(text: str) -> None:
    try:
        parse_key(text)
    except CryptoError as error:
        raise ValueError(f"{error}; make one with `signaalbot keys generate`") from None


class WorkflowSettings(Table):
    """Following signals up: relayed questions and the due-time checks."""

    question_expiry_days: Annotated[float, within(1, 90)] = 5
    # Not below 5 seconds: each check queries the database; at most an hour, else
    # escalations and reminders come late.
    check_interval_seconds: Annotated[float, within(5, 3600)] = 60


class Settings(BaseSettings):
    """All of Signaalbot's settings; see ``config.example.toml``."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_nested_delimiter="__", extra="forbid"
    )

    telegram: TelegramSettings = TelegramSettings()
    signal: SignalSettings = SignalSettings()
    web: WebSettings = WebSettings()
    database: DatabaseSettings = DatabaseSettings()
    intake: IntakeSettings = IntakeSettings()
    workflow: WorkflowSettings = WorkflowSettings()
    security: SecuritySettings = SecuritySettings()
    gemeenten: list[GemeenteSettings] = Field(default_factory=list)
    organisations: list[OrganisationSettings] = Field(default_factory=list)
    admins: list[TelegramId] = Field(default_factory=list)  # Telegram ids of global admins

    @model_validator(mode="after")
    def _no_overlap(self) -> Settings:
        seen_codes: set[str] = set()
        spans: list[tuple[int, int, str]] = []
        for gemeente in self.gemeenten:
            if gemeente.code in seen_codes:
                raise ValueError(f"gemeente {gemeente.code} is declared twice")
            seen_codes.add(gemeente.code)
            spans += [(low, high, gemeente.code) for low, high in gemeente.pc4_ranges]
        spans.sort()
        for (_, high, code), (low, _, other) in zip(spans, spans[1:], strict=False):
            if low <= high:
                raise ValueError(f"pc4 {low} is claimed by both {code} and {other}")
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Arguments, then environment, then the TOML file."""
        sources: tuple[PydanticBaseSettingsSource, ...] = (init_settings, env_settings)
        path = os.environ.get(CONFIG_ENV)
        if path:
            sources += (TomlConfigSettingsSource(settings_cls, toml_file=Path(path)),)
        return sources


def load_settings(path: str | Path | None = None, **overrides: object) -> Settings:
    """Load settings from ``path`` (or ``$SIGNAALBOT_CONFIG``) and the environment.

    Raises:
        ConfigError: with one line naming the setting that is wrong.
    """
    previous = os.environ.get(CONFIG_ENV)
    if path is not None:
        if not Path(path).is_file():
            raise ConfigError(f"config file not found: {path}")
        os.environ[CONFIG_ENV] = str(path)
    try:
        stray = stray_environment(Settings)
        if stray:
            raise ConfigError(stray)
        return Settings(**overrides)  # type: ignore[arg-type]
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{os.environ.get(CONFIG_ENV)}: malformed TOML: {error}") from None
    except ValidationError as error:
        raise ConfigError(describe(error, Settings)) from None
    finally:
        if path is not None:
            if previous is None:
                os.environ.pop(CONFIG_ENV, None)
            else:
                os.environ[CONFIG_ENV] = previous


def start_problems(settings: Settings) -> list[str]:
    """What stops ``signaalbot run`` in valid settings: a secret not set, one line each."""
    problems = []
    if not settings.telegram.token.get_secret_value() and not (
            settings.signal.account or settings.web.public_url):
        problems.append(MISSING_CHANNEL)
    if not settings.security.encryption_key.get_secret_value():
        problems.append(MISSING_KEY)
    webhook = settings.telegram.webhook
    if settings.telegram.mode == "webhook" and not (
            webhook.url and webhook.secret_token.get_secret_value()):
        problems.append("telegram.webhook: url and secret_token are required in webhook mode")
    return problems


def keyring(settings: Settings) -> Keyring:
    """The keyring for personal fields; refuses to work without a valid key.

    Raises:
        ConfigError: when no encryption key is configured.
    """
    key = settings.security.encryption_key.get_secret_value()
    if not key:
        raise ConfigError(MISSING_KEY)
    return Keyring(key, [old.get_secret_value() for old in settings.security.old_keys])
