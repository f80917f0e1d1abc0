"""People are (channel, external id): parsed from the command line and the config."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.core.people import Address, Person
from bot.settings_gemeente import StaffSettings


def test_a_person_is_channel_and_id_and_a_bare_number_is_a_telegram_user() -> None:
    assert Person.parse("console:anna") == Person("console", "anna")
    assert Person.parse("5003") == Person.on_telegram(5003) == Person("telegram", "5003")
    assert str(Person.parse("console:anna")) == "console:anna"
    assert Person.on_telegram(5003).telegram_id == 5003
    assert Person("console", "anna").telegram_id is None
    for wrong in ("anna", ":anna", "console:", ""):
        with pytest.raises(ValueError):
            Person.parse(wrong)


def test_an_address_says_how_the_outbox_reaches_it() -> None:
    assert Address("telegram", "-1007002").outbox_columns() == {"channel": "telegram",
                                                                "chat_id": -1007002}
    assert Person("console", "anna").address.outbox_columns() == {"channel": "console",
                                                                  "address": "anna"}


def test_staff_in_the_config_by_telegram_id_or_by_channel_and_id() -> None:
    assert StaffSettings(telegram_id=5003, name="Ahmed").person == Person.on_telegram(5003)
    console = StaffSettings.model_validate({"channel": "console", "id": "anna", "name": "Anna"})
    assert console.person == Person("console", "anna")
    for wrong in ({"name": "X"}, {"channel": "console", "name": "X"},
                  {"telegram_id": 5003, "channel": "console", "id": "x", "name": "X"},
                  {"channel": "telegram", "id": "anna", "name": "X"},
                  {"channel": "Console!", "id": "anna", "name": "X"}):
        with pytest.raises(ValidationError):
            StaffSettings.model_validate(wrong)
