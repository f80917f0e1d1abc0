"""The config's tables per gemeente: [[gemeenten]], [[organisations]], [[staff]].

Also the bounded-number validators every table of ``bot.settings`` shares.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    field_validator,
    model_validator,
)

from bot.core.gemeente_rules import GEMEENTE_BOUNDS, out_of_range, show_number, text_problem
from bot.core.people import SIGNAL, TELEGRAM, Person
from bot.core.texts import TEXTS
from bot.core.workflow import StaffRole
from bot.settings_errors import CONFIG_ENV, did_you_mean

_PC4_RANGE = re.compile(r"^\s*(\d{4})\s*(?:-\s*(\d{4}))?\s*$")
_ACI = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


# -- bounds of numeric settings (a gemeente's own: bot.core.gemeente_rules)

# Telegram ids are stored as 64-bit integers (BigInteger); a longer one would stop config apply.
INT64 = (-(2**63), 2**63 - 1)


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


def within(low: float, high: float) -> WrapValidator:
    """A number from ``low`` to ``high`` (inclusive); never NaN or infinity."""
    return _bounded(lambda: (low, high))


def _gemeente_bound(name: str) -> WrapValidator:
    """The bounds of ``GEMEENTE_BOUNDS[name]``, looked up when a value is checked."""
    return _bounded(lambda: GEMEENTE_BOUNDS[name])


TelegramId = Annotated[int, within(*INT64)]


class Table(BaseModel):
    """A table of the config: a key it does not know is an error, never ignored."""

    model_config = ConfigDict(extra="forbid")


class OrganisationSettings(Table):
    """A signaler organisation declared in the config (its code is part of its deep link)."""

    code: str = Field(pattern=r"^[A-Za-z0-9_-]{4,16}$")
    name: str = Field(min_length=1, max_length=120)
    role: str
    gemeente: str | None = None


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


class StaffSettings(Table):
    """A staff member of a gemeente: the regisseur or a team member.

    Known on Telegram by ``telegram_id``, or on any channel by ``channel`` and ``id``.
    """

    telegram_id: Annotated[int, within(1, INT64[1])] | None = None
    channel: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]{0,15}$")
    id: str | None = Field(default=None, min_length=1, max_length=64)
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
        elif self.channel == SIGNAL and not _ACI.fullmatch(self.id):
            raise ValueError("a Signal id is the person's ACI (a UUID; `signaalbot signal aci "
                             "+31...` finds it), never their number")
        return self

    @property
    def person(self) -> Person:
        """Who this is: (channel, id)."""
        if self.telegram_id is not None:
            return Person.on_telegram(self.telegram_id)
        assert self.channel is not None and self.id is not None
        return Person(self.channel, self.id)


class GemeenteSettings(Table):
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

        for key in value:
            if key not in TEXTS:
                raise ValueError(f"unknown text {key}; {did_you_mean(key, TEXTS)}")
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
        elsewhere = any(member.person.channel != TELEGRAM for member in self.staff)
        if self.active and not self.alert_chat_ids and not elsewhere:
            raise ValueError("an active gemeente needs somewhere for its alerts: an "
                             "alert_chat_ids entry, or a staff member on Signal or the console")
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


