"""Bounds on every numeric setting, and gemeente texts without format specs (issue item 8)."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.core.admin import CLI, SETTABLE, AdminError
from bot.core.outbox import Outgoing
from bot.core.texts import render_text, text_for
from bot.services import Services, open_services
from bot.settings import ConfigError, load_settings
from storage.models import utcnow
from tests.conftest import make_settings
from tests.helpers.config import GOOD, write_toml

# The chosen bounds (inclusive); config.example.toml and bot/settings.py explain them.
BOUNDS = {
    "telegram.concurrent_updates": (0, 1024),
    "telegram.connection_pool_size": (1, 1024),
    "telegram.messages_per_second": (1, 1_000_000),
    "telegram.webhook.port": (1, 65535),
    "intake.draft_ttl_hours": (1, 720),
    "intake.description_max_chars": (50, 3000),
    "security.flood_updates": (1, 100_000),
    "security.flood_seconds": (1, 3600),
    "workflow.question_expiry_days": (1, 90),
    "workflow.check_interval_seconds": (5, 3600),
    "gemeenten.0.escalation_hours": (1, 720),
    "gemeenten.0.silent_days": (1, 365),
    "gemeenten.0.retention_days": (1, 3650),
}
INTEGERS = {"telegram.concurrent_updates", "telegram.connection_pool_size",
            "telegram.webhook.port", "intake.description_max_chars", "security.flood_updates"}
INT64 = 2**63


def config_with(setting: str, value: str) -> str:
    """``GOOD`` with ``setting = value`` (a dotted name as ConfigError shows it)."""
    section, _, key = setting.rpartition(".")
    if section == "gemeenten.0":  # GOOD ends in its one [[gemeenten]] table
        return GOOD + f"{key} = {value}\n"
    if f"[{section}]\n" in GOOD:
        return GOOD.replace(f"[{section}]\n", f"[{section}]\n{key} = {value}\n")
    return GOOD + f"[{section}]\n{key} = {value}\n"


def outside(setting: str) -> list[str]:
    low, high = BOUNDS[setting]
    step = 1 if setting in INTEGERS else 0.5
    return ["inf", "-inf", "nan", "1e999", str(low - step), str(high + step), "1e300"]


@pytest.mark.parametrize(("setting", "value"), [
    (setting, value) for setting in BOUNDS for value in outside(setting)])
def test_every_numeric_setting_refuses_non_finite_and_out_of_range_values(
        tmp_path: Path, setting: str, value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(write_toml(tmp_path, config_with(setting, value)))
    message = str(caught.value)
    assert message.startswith(setting + ":") and "\n" not in message, message


@pytest.mark.parametrize("setting", BOUNDS)
def test_every_numeric_setting_accepts_its_bounds(tmp_path: Path, setting: str) -> None:
    for value in BOUNDS[setting]:
        settings = load_settings(write_toml(tmp_path, config_with(setting, str(value))))
        found: object = settings
        for part in setting.split("."):
            found = found[int(part)] if part.isdigit() else getattr(found, part)  # type: ignore[index]
        assert found == value


@pytest.mark.parametrize(("variable", "value"), [
    ("SIGNAALBOT_INTAKE__DRAFT_TTL_HOURS", "nan"),
    ("SIGNAALBOT_WORKFLOW__CHECK_INTERVAL_SECONDS", "inf"),
    ("SIGNAALBOT_TELEGRAM__MESSAGES_PER_SECOND", "Infinity"),
    ("SIGNAALBOT_SECURITY__FLOOD_SECONDS", "1e999"),
])
def test_environment_overrides_are_bounded_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               variable: str, value: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as caught:
        load_settings(write_toml(tmp_path, GOOD))
    setting = variable.removeprefix("SIGNAALBOT_").lower().replace("__", ".")
    assert str(caught.value).startswith(setting + ":") and "\n" not in str(caught.value)


@pytest.mark.parametrize(("text", "setting"), [
    (f"admins = [{INT64}]\n" + GOOD, "admins.0"),
    (GOOD.replace("alert_chat_ids = [1, -100200]", f"alert_chat_ids = [-{INT64 + 1}]"),
     "gemeenten.0.alert_chat_ids.0"),
    (GOOD + f"backup_chat_ids = [{INT64}]\n", "gemeenten.0.backup_chat_ids.0"),
    (GOOD + f'staff = [{{ telegram_id = {INT64}, name = "X" }}]\n',
     "gemeenten.0.staff.0.telegram_id"),
])
def test_telegram_ids_fit_the_database(tmp_path: Path, text: str, setting: str) -> None:
    """Ids are stored as 64-bit integers: a longer one would stop `config apply` at start."""
    with pytest.raises(ConfigError) as caught:
        load_settings(write_toml(tmp_path, text))
    assert str(caught.value).startswith(setting + ":") and "\n" not in str(caught.value)


def test_admin_and_config_share_one_definition_of_the_bounds(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.core.gemeente_rules import GEMEENTE_BOUNDS

    numeric = {name for name, parse in SETTABLE.items() if parse is not str}
    assert numeric == set(GEMEENTE_BOUNDS)
    for name, (low, high) in GEMEENTE_BOUNDS.items():
        assert BOUNDS[f"gemeenten.0.{name}"] == (low, high)
        with pytest.raises(ConfigError) as caught:
            load_settings(write_toml(tmp_path, config_with(f"gemeenten.0.{name}", str(high + 1))))
        assert f"from {low} to {high}" in str(caught.value)
    # the largest allowed values still make due times (privacy.py: timedelta(days=retention_days))
    assert utcnow() + timedelta(days=GEMEENTE_BOUNDS["retention_days"][1]) > utcnow()
    assert utcnow() + timedelta(hours=GEMEENTE_BOUNDS["escalation_hours"][1]) > utcnow()


class NoSender:
    async def send(self, message: Outgoing, *, bulk: bool = True) -> int | None:
        raise AssertionError("nothing is sent here")


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    opened = await open_services(make_settings(f"sqlite+aiosqlite:///{tmp_path / 'b.db'}"),
                                 {"telegram": NoSender()})
    yield opened
    await opened.close()


@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "NaN", "1e999", "Infinity", "0", "0.5",
                                   "3650.5", "1e300", "-30"])
async def test_set_setting_refuses_non_finite_and_out_of_range_values(
        services: Services, value: str) -> None:
    with pytest.raises(AdminError) as caught:
        await services.admin.set_setting(CLI, "GM0715", "retention_days", value)
    assert "retention_days" in str(caught.value) and "1 to 3650" in str(caught.value)
    async with services.uow() as uow:
        gemeente = await uow.gemeenten.get(code="GM0715")
        assert gemeente is not None and gemeente.retention_days == 30


async def test_set_setting_bounds_per_setting(services: Services,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    admin = services.admin
    for name, value, allowed in (("escalation_hours", "721", "1 to 720"),
                                 ("silent_days", "inf", "1 to 365"),
                                 ("escalation_hours", "nan", "1 to 720")):
        with pytest.raises(AdminError, match=allowed):
            await admin.set_setting(CLI, "GM0715", name, value)
    await admin.set_setting(CLI, "GM0715", "retention_days", "3650")
    await admin.set_setting(CLI, "GM0715", "escalation_hours", "1")
    async with services.uow() as uow:
        gemeente = await uow.gemeenten.get(code="GM0715")
        assert gemeente is not None
        assert (gemeente.retention_days, gemeente.escalation_hours) == (3650, 1)
        assert all(math.isfinite(v) for v in (gemeente.retention_days, gemeente.silent_days))
    from bot.core.gemeente_rules import GEMEENTE_BOUNDS

    monkeypatch.setitem(GEMEENTE_BOUNDS, "retention_days", (1, 10))  # one definition: admin too
    with pytest.raises(AdminError, match="1 to 10"):
        await admin.set_setting(CLI, "GM0715", "retention_days", "11")


BAD_TEXTS = [
    "Nummer {reference:>100000}",
    "Nummer {reference:100000}",
    "Nummer {reference!r}",
    "Nummer {reference.__class__}",
    "Nummer {reference[0]}",
    "Nummer {0}",
    "Nummer {}",
    "Nummer {reference:}",
    "Nummer {gemeente!s:^9}",
    "Nummer {naam}",
    "Nummer {reference:{gemeente}}",
    "Open { zonder sluiten",
    "Sluiten } zonder openen",
]


@pytest.mark.parametrize("text", BAD_TEXTS)
def test_config_texts_refuse_format_specs(tmp_path: Path, text: str) -> None:
    toml = GOOD + f"texts = {{ thanks = {text!r} }}\n".replace("'", '"')
    with pytest.raises(ConfigError) as caught:
        load_settings(write_toml(tmp_path, toml))
    message = str(caught.value)
    assert message.startswith("gemeenten.0.texts") and "thanks" in message, message
    assert "{reference}" in message and "\n" not in message


@pytest.mark.parametrize("text", BAD_TEXTS)
async def test_set_text_refuses_format_specs(services: Services, text: str) -> None:
    with pytest.raises(AdminError) as caught:
        await services.admin.set_text(CLI, "GM0715", "thanks", text)
    assert "{reference}" in str(caught.value) and "{gemeente}" in str(caught.value)
    async with services.uow() as uow:
        assert await uow.texts.get_text(code="GM0715", key="thanks") is None


async def test_placeholders_and_literal_braces_are_allowed(services: Services,
                                                           tmp_path: Path) -> None:
    text = "Nr {reference} bij {gemeente}; {{niet ingevuld}} <b>"
    settings = load_settings(write_toml(tmp_path, GOOD + f'texts = {{ thanks = "{text}" }}\n'))
    assert settings.gemeenten[0].texts["thanks"] == text
    await services.admin.set_text(CLI, "GM0715", "thanks", text)
    assert await services.admin.preview(CLI, "GM0715", "thanks") == (
        "Nr SP-2026-000123 bij Terneuzen; {niet ingevuld} &lt;b&gt;")


@pytest.mark.parametrize(("template", "expected"), [
    ("{reference:>100000}", "{reference:&gt;100000}"),
    ("{reference:100000}", "{reference:100000}"),
    ("{reference!r}", "{reference!r}"),
    ("{reference.__class__}", "{reference.__class__}"),
    ("{reference.__class__.__mro__}", "{reference.__class__.__mro__}"),
    ("{0}{}", "{0}{}"),
    ("{reference:{gemeente}}", "{reference:G}"),  # a bare placeholder inside is filled in
    ("open { en } dicht", "open { en } dicht"),
    ("{{reference}} is {reference}", "{reference} is A&amp;B"),
    ("{{{reference}}}", "{A&amp;B}"),
    ("{gemeente}: <i>", "G: &lt;i&gt;"),
])
def test_render_text_fills_only_the_two_placeholders(template: str, expected: str) -> None:
    assert render_text(template, custom=True, reference="A&B", gemeente="G") == expected


def test_render_text_of_built_in_texts_is_unchanged() -> None:
    from bot.core.texts import TEXTS

    values = {"reference": "SP-1", "gemeente": "T&T"}
    for template in TEXTS.values():
        assert render_text(template, custom=False, **values) == template.format(
            reference="SP-1", gemeente="T&amp;T")


async def test_a_bad_text_already_stored_is_shown_not_formatted(services: Services) -> None:
    async with services.uow() as uow:  # stored before texts were checked
        await uow.texts.set_text(code="GM0715", key="thanks", text="Nr {reference:>100000}")
        await uow.texts.set_text(code="GM0715", key="feedback_closed",
                                     text="{reference.__class__} {0} {")
        await uow.texts.set_text(code="GM0715", key="welcome", text="Welkom {reference}")
        await uow.commit()
    preview = await services.admin.preview(CLI, "GM0715", "thanks")
    assert preview == "Nr {reference:&gt;100000}"
    async with services.uow() as uow:
        closed = await text_for(uow, "GM0715", "feedback_closed", reference="SP-1",
                                gemeente="Terneuzen")
        welcome = await text_for(uow, "GM0715", "welcome")  # no values at all: no KeyError
    assert closed == "{reference.__class__} {0} {"
    assert welcome == "Welkom {reference}"
