"""Settings: one TOML file plus ``SIGNAALBOT_`` environment overrides.

Precedence: explicit arguments > environment (``SIGNAALBOT_TELEGRAM__TOKEN``) > TOML > defaults.
The TOML path comes from ``--config`` or ``SIGNAALBOT_CONFIG``; nothing is read at import time.
"""

from __future__ import annotations

import difflib
import json
import math
import os
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from string import Formatter
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import (
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
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
from bot.core.people import TELEGRAM, Person
from bot.core.workflow import StaffRole
from storage.crypto import CryptoError, Keyring, parse_key

CONFIG_ENV = "SIGNAALBOT_CONFIG"
ENV_PREFIX = "SIGNAALBOT_"
MISSING_TOKEN = "telegram.token: missing; set SIGNAALBOT_TELEGRAM__TOKEN"
MISSING_KEY = ("security.encryption_key: missing; make one with `signaalbot keys generate` and "
               "set SIGNAALBOT_SECURITY__ENCRYPTION_KEY")
_PC4_RANGE = re.compile(r"^\s*(\d{4})\s*(?:-\s*(\d{4}))?\s*$")


class ConfigError(Exception):
    """A configuration problem, phrased as one line that names the setting."""


# -- bounds of numeric settings

# Bounds (inclusive) of the gemeente settings that `signaalbot gemeente set` changes too; the
# one definition for the config (GemeenteSettings) and bot.core.admin.AdminService.set_setting.
# NaN and infinity are outside every range: timedelta(days=inf) raises, so a single
# `retention_days = inf` once stopped the retention purge for all gemeenten.
GEMEENTE_BOUNDS: dict[str, tuple[float, float]] = {
    "escalation_hours": (1, 720),  # an hour .. 30 days (plain hours)
    "silent_days": (1, 365),
    "retention_days": (1, 3650),  # a day .. 10 years
}
# Telegram ids are stored as 64-bit integers (BigInteger); a longer one would stop config apply.
_INT64 = (-(2**63), 2**63 - 1)


def out_of_range(value: float, low: float, high: float) -> str | None:
    """Why ``value`` is not allowed (None: it is); NaN and infinity never are."""
    if low <= value <= high:  # False for NaN; infinity is above any high
        return None
    return f"must be a number from {show_number(low)} to {show_number(high)}"


def show_number(value: float) -> str:
    """A number as people write it: ``60``, not ``60.0``; ``0.5``."""
    return f"{value:.15g}"


def show_value(value: object) -> str:
    """A setting's value as the config writes it: ``60``, ``0.5``, ``true``, ``"text"``, ``[1]``."""
    if value is None:
        return "(not set)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return show_number(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(map(show_value, value)) + "]"
    return json.dumps(value, ensure_ascii=False)


def _bounded(bounds: Callable[[], tuple[float, float]]) -> WrapValidator:
    def check(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        if isinstance(value, float) and not math.isfinite(value):  # also before int's own check
            raise ValueError(f"{out_of_range(value, *bounds())}, not {show_number(value)}")
        value = handler(value)
        problem = out_of_range(value, *bounds())
        if problem:
            raise ValueError(f"{problem}, not {show_number(value)}")
        return value

    return WrapValidator(check)


def _within(low: float, high: float) -> WrapValidator:
    return _bounded(lambda: (low, high))


def _gemeente_bound(name: str) -> WrapValidator:
    """The bounds of ``GEMEENTE_BOUNDS[name]``, looked up when a value is checked."""
    return _bounded(lambda: GEMEENTE_BOUNDS[name])


TelegramId = Annotated[int, _within(*_INT64)]


# -- gemeente texts: plain text with {reference} and {gemeente}, nothing else

PLACEHOLDERS = ("reference", "gemeente")
_TEXT_TOKEN = re.compile(r"\{\{|\}\}|\{(" + "|".join(PLACEHOLDERS) + r")\}")
_TEXT_RULE = ("only {reference} and {gemeente} as they are (no format spec, conversion, "
              "index or attribute) and {{ or }} for a literal brace")


def text_problem(text: str) -> str | None:
    """Why a gemeente text is not allowed (None: it is): see ``_TEXT_RULE``."""
    try:
        pieces = list(Formatter().parse(text))
    except ValueError as error:
        return f"{error}; a text may use {_TEXT_RULE}"
    for _literal, field, spec, conversion in pieces:
        if field is None:
            continue
        if field not in PLACEHOLDERS or spec or conversion is not None:
            shown = "{" + field + (f"!{conversion}" if conversion else "") + (
                f":{spec}" if spec else "") + "}"
            return f"{shown} is not allowed; a text may use {_TEXT_RULE}"
    # Formatter also passes an empty spec ("{reference:}"); fill_text would not fill it in.
    if re.search(r"[{}]", _TEXT_TOKEN.sub("", text)):
        return f"a text may use {_TEXT_RULE}"
    return None


def fill_text(template: str, values: Mapping[str, str], escape: Callable[[str], str]) -> str:
    """Fill in ``{reference}`` and ``{gemeente}``; ``{{``/``}}`` become braces.

    Never a format spec, conversion or attribute: anything else, even in a text stored before
    texts were checked, stays as it is written, through ``escape`` like all literal text. A
    placeholder without a value stays too.
    """
    parts: list[str] = []
    position = 0
    for match in _TEXT_TOKEN.finditer(template):
        parts.append(escape(template[position:match.start()]))
        name = match.group(1)
        if name is None:
            parts.append(match.group()[0])
        elif name in values:
            parts.append(values[name])
        else:
            parts.append(escape(match.group()))
        position = match.end()
    parts.append(escape(template[position:]))
    return "".join(parts)


class _Table(BaseModel):
    """A table of the config: a key it does not know is an error, never ignored."""

    model_config = ConfigDict(extra="forbid")


class WebhookSettings(_Table):
    """Webhook mode: Telegram posts updates to ``url``; ``secret_token`` is checked on each."""

    url: str = ""
    listen: str = "127.0.0.1"
    port: Annotated[int, _within(1, 65535)] = 8443
    secret_token: SecretStr = SecretStr("")


class TelegramSettings(_Table):
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
    concurrent_updates: Annotated[int, _within(0, 1024)] = 64
    # Connections for ordinary Bot API calls (getUpdates has its own); at most 1024 sockets.
    connection_pool_size: Annotated[int, _within(1, 1024)] = 128
    # Messages a second the bot sends at most: Telegram allows a bot about 30 (a local Bot API
    # server passes on the same limit); 28 leaves room for requests that bunch on their way.
    # More than 30 only makes sense against a stand-in: benchmarks/run.py lifts the cap with
    # 1 000 000, the upper bound.
    messages_per_second: Annotated[float, _within(1, 1_000_000)] = 28

    @field_validator("token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        token = value.get_secret_value()
        if token and not re.fullmatch(r"\d+:[\w-]{5,}", token):
            raise ValueError("does not look like a BotFather token (digits:letters)")
        return value


class DatabaseSettings(_Table):
    """Where reports and drafts are stored."""

    url: str = "sqlite+aiosqlite:///signaalbot.db"
    migrate_on_start: bool = True

    @field_validator("url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("use sqlite+aiosqlite:///FILE or postgresql+asyncpg://USER@HOST/DB")
        return value


class IntakeSettings(_Table):
    """The signaler conversation."""

    draft_ttl_hours: Annotated[float, _within(1, 720)] = 24  # an hour .. 30 days
    # Telegram's messages hold 4096 characters; the alert card needs room around the description.
    description_max_chars: Annotated[int, _within(50, 3000)] = 1000
    fallback_advice: str = messages.FALLBACK_ADVICE


class SecuritySettings(_Table):
    """Encryption at rest and protection against floods."""

    encryption_key: SecretStr = SecretStr("")  # or SIGNAALBOT_SECURITY__ENCRYPTION_KEY
    old_keys: list[SecretStr] = Field(default_factory=list)  # still readable, during rotation
    # At most this many updates per person in flood_seconds. Up to 100 000: tests and
    # benchmarks switch the guard off that way; the guard keeps a person's recent update times.
    flood_updates: Annotated[int, _within(1, 100_000)] = 20
    flood_seconds: Annotated[float, _within(1, 3600)] = 10

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


class OrganisationSettings(_Table):
    """A signaler organisation declared in the config (its code is part of its deep link)."""

    code: str = Field(pattern=r"^[A-Za-z0-9_-]{4,16}$")
    name: str = Field(min_length=1, max_length=120)
    role: str
    gemeente: str | None = None


class WorkflowSettings(_Table):
    """Following signals up: relayed questions and the due-time checks."""

    question_expiry_days: Annotated[float, _within(1, 90)] = 5
    # Not below 5 seconds: each check queries the database; at most an hour, else
    # escalations and reminders come late.
    check_interval_seconds: Annotated[float, _within(5, 3600)] = 60


def parse_pc4_ranges(items: list[str]) -> list[tuple[int, int]]:
    """Turn ``["4531-4539", "4543"]`` into inclusive ``(low, high)`` pairs."""
    ranges = []
    for item in items:
        match = _PC4_RANGE.match(str(item))
        if not match:
            raise ValueError(f"{item!r} is not a PC4 code or range like 4531-4539")
        low = int(match.group(1))
        high = int(match.group(2) or low)
        if low < 1000 or high < low:
            raise ValueError(f"{item!r} is not a valid PC4 range")
        ranges.append((low, high))
    return ranges


class StaffSettings(_Table):
    """A staff member of a gemeente: the regisseur or a team member.

    Known on Telegram by ``telegram_id``, or on any channel by ``channel`` and ``id``.
    """

    telegram_id: Annotated[int, _within(1, _INT64[1])] | None = None
    channel: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]{0,15}$")
    id: str | None = Field(default=None, min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=80)
    role: StaffRole = StaffRole.TEAM

    @model_validator(mode="after")
    def _one_identity(self) -> StaffSettings:
        if self.telegram_id is not None:
            if self.channel not in (None, TELEGRAM) or self.id is not None:
                raise ValueError("give either telegram_id, or channel and id")
        elif self.channel is None or self.id is None:
            raise ValueError("a staff member needs telegram_id, or channel and id")
        elif self.channel == TELEGRAM and not self.id.isdigit():
            raise ValueError("a Telegram id is a number")
        return self

    @property
    def person(self) -> Person:
        """Who this is: (channel, id)."""
        if self.telegram_id is not None:
            return Person.on_telegram(self.telegram_id)
        assert self.channel is not None and self.id is not None
        return Person(self.channel, self.id)


class GemeenteSettings(_Table):
    """One gemeente that takes part (or, with ``active = false``, one that does not yet)."""

    code: str
    name: str = Field(min_length=1)
    pc4: list[str] = Field(default_factory=list)
    alert_chat_ids: list[TelegramId] = Field(default_factory=list)
    fallback_advice: str | None = None
    active: bool = True
    escalation_hours: Annotated[float, _gemeente_bound("escalation_hours")] = 24
    silent_days: Annotated[float, _gemeente_bound("silent_days")] = 5
    retention_days: Annotated[float, _gemeente_bound("retention_days")] = 30
    backup_chat_ids: list[TelegramId] = Field(default_factory=list)
    staff: list[StaffSettings] = Field(default_factory=list)
    texts: dict[str, str] = Field(default_factory=dict)
    # A file of the gemeente's own extra questions, beside the config (or a path from it).
    questions: str | None = None

    @field_validator("texts")
    @classmethod
    def _known_texts(cls, value: dict[str, str]) -> dict[str, str]:
        from bot.core.texts import TEXTS

        for key in value:
            if key not in TEXTS:
                raise ValueError(f"unknown text {key}; {_did_you_mean(key, TEXTS)}")
        for key, text in value.items():
            problem = text_problem(text)
            if problem:
                raise ValueError(f"{key}: {problem}")
        return value

    @field_validator("code")
    @classmethod
    def _cbs_code(cls, value: str) -> str:
        if not re.fullmatch(r"GM\d{4}", value):
            raise ValueError("must be a CBS code like GM0715")
        return value

    @field_validator("pc4")
    @classmethod
    def _pc4_ranges(cls, value: list[str]) -> list[str]:
        parse_pc4_ranges(value)
        return value

    @model_validator(mode="after")
    def _alerts_when_active(self) -> GemeenteSettings:
        if self.active and not self.alert_chat_ids:
            raise ValueError("an active gemeente needs at least one alert_chat_ids entry")
        ids = [member.person for member in self.staff]
        if len(ids) != len(set(ids)):
            raise ValueError("a staff member is listed twice")
        return self

    @model_validator(mode="after")
    def _extra_questions(self) -> GemeenteSettings:
        """Find the file of extra questions from the config's folder, and check it."""
        if self.questions is None:
            return self
        from bot.core.questionnaires.loader import QuestionnaireError, load_extras

        config = os.environ.get(CONFIG_ENV)
        path = Path(config).parent / self.questions if config else Path(self.questions)
        try:
            load_extras(path, self.code)
        except QuestionnaireError as error:
            more = len(error.problems) - 1
            raise ValueError(error.problems[0] + (
                f" (and {more} more: signaalbot questionnaire check {path})" if more else "")
            ) from None
        self.questions = str(path.resolve())
        return self

    @property
    def pc4_ranges(self) -> list[tuple[int, int]]:
        """The parsed PC4 ranges."""
        return parse_pc4_ranges(self.pc4)


class Settings(BaseSettings):
    """All of Signaalbot's settings; see ``config.example.toml``."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_nested_delimiter="__", extra="forbid"
    )

    telegram: TelegramSettings = TelegramSettings()
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


# -- one line for a configuration error: the dotted key, where it came from, what is wrong

Loc = tuple[str | int, ...]


def _table(annotation: Any) -> type[BaseModel] | None:
    """The model of a field that is a table, or a list of tables."""
    if get_origin(annotation) is list:
        annotation = get_args(annotation)[0]
    return annotation if isinstance(annotation, type) and issubclass(
        annotation, BaseModel) else None


def _model_at(path: Loc) -> type[BaseModel] | None:
    model: type[BaseModel] | None = Settings
    for part in path:
        if isinstance(part, str) and model is not None:
            field = model.model_fields.get(part)
            model = _table(field.annotation) if field else None
    return model


def _env_name(path: Loc) -> str:
    return ENV_PREFIX + "__".join(str(part) for part in path).upper()


def _settings_paths(model: type[BaseModel], path: Loc = ()) -> list[Loc]:
    """Every setting that has an environment variable of its own (tables within tables)."""
    paths: list[Loc] = []
    for name, field in model.model_fields.items():
        table = _table(field.annotation)
        if table is not None and get_origin(field.annotation) is not list:
            paths += _settings_paths(table, (*path, name))
        else:
            paths.append((*path, name))
    return paths


def _did_you_mean(word: str, choices: Iterable[str], shown: Callable[[str], str] = str) -> str:
    """"did you mean …?" with the choice closest to ``word``; without one, all choices."""
    choices = list(choices)
    close = difflib.get_close_matches(word, choices, n=1)
    return (f"did you mean {shown(close[0])}?" if close
            else f"one of {', '.join(map(shown, choices))}")


def _in_toml(toml_file: str, path: Loc) -> bool:
    try:
        node: Any = tomllib.loads(Path(toml_file).read_text(encoding="utf-8"))
        for part in path:
            node = node[part]
    except (KeyError, IndexError, TypeError, OSError, tomllib.TOMLDecodeError):
        return False
    return True


def _env_source(path: Loc) -> str | None:
    """The environment variable that set ``path`` (or a table around it), if one did."""
    names = {name.upper() for name in os.environ}
    for end in range(len(path), 0, -1):
        if _env_name(path[:end]) in names:
            return _env_name(path[:end])
    return None


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    path: Loc = tuple(first["loc"])
    env = _env_source(path)
    toml_file = os.environ.get(CONFIG_ENV)
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        model = _model_at(path[:-1])
        fields = list(model.model_fields) if model else []
        shown = (lambda name: _env_name((*path[:-1], name))) if env else str
        message = f"unknown key; {_did_you_mean(str(path[-1]), fields, shown)}"
    line = f"{'.'.join(str(part) for part in path) or 'config'}: {message}"
    if env:
        return f"{line} (from {env})"
    return f"{line} (in {toml_file})" if toml_file and _in_toml(toml_file, path) else line


def _stray_environment() -> str | None:
    """A ``SIGNAALBOT_`` variable that begins with a setting's name but names none.

    ``SIGNAALBOT_TELEGRAM_TOKEN`` (one underscore) would be ignored; other tools' variables
    (``SIGNAALBOT_CONFIG``, the tests' own) begin with no setting's name and are left alone.
    """
    known = {_env_name(path) for path in _settings_paths(Settings)}
    for name in sorted(name.upper() for name in os.environ):
        if name in known:
            continue
        for section in Settings.model_fields:
            start = _env_name((section,)) + "_"
            if name.startswith(start) and not name.startswith(start + "_"):
                section_names = sorted(known_name for known_name in known
                                       if known_name.startswith(start))
                return (f"{name}: not a setting (a section and its key are joined by two "
                        f"underscores); {_did_you_mean(name, section_names)}")
    return None


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
        stray = _stray_environment()
        if stray:
            raise ConfigError(stray)
        return Settings(**overrides)  # type: ignore[arg-type]
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{os.environ.get(CONFIG_ENV)}: malformed TOML: {error}") from None
    except ValidationError as error:
        raise ConfigError(_describe(error)) from None
    finally:
        if path is not None:
            if previous is None:
                os.environ.pop(CONFIG_ENV, None)
            else:
                os.environ[CONFIG_ENV] = previous


def start_problems(settings: Settings) -> list[str]:
    """What stops ``signaalbot run`` in valid settings: a secret not set, one line each."""
    problems = []
    if not settings.telegram.token.get_secret_value():
        problems.append(MISSING_TOKEN)
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
