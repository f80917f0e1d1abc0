"""Suggestions after filing on Signal: a self-reporter gets activities that fit, near them,
as a message of their own after the thanks."""

from __future__ import annotations

from typing import Any

import pytest

from bot.core.sociale_kaart import Activity
from bot.settings import Settings
from tests.helpers.reports import SELF_REPORT_LINES, doors_settings
from tests.helpers.signal import SignalPerson, SignalRunner, reference


@pytest.fixture
def settings(db_url: str) -> Settings:
    return doors_settings(db_url)


async def test_a_self_reporter_on_signal_gets_suggestions_after_the_thanks(
        signalcli: Any, signal_runner: SignalRunner) -> None:
    await signal_runner.services.kaart.save("GM0715", [
        Activity("Samen koken", "Samen eten in de buurt", 4531, tags=frozenset({"samen"})),
        Activity("Computerhulp", "Hulp met de telefoon", 4531, tags=frozenset({"digitaal"}))])
    mila = SignalPerson(signal_runner, signalcli.person("Mila"))
    await mila.say(*SELF_REPORT_LINES)  # "een praatje" and "samen iets doen"
    *_, thanks, after = mila.texts()
    assert reference(thanks) and "Misschien iets voor u" not in thanks
    assert "Misschien iets voor u" in after and "Samen koken" in after
    assert "Computerhulp" not in after
