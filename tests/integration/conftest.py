"""Fixtures of the integration tests: the use cases on a fresh database, Telegram recorded."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.services import Services, open_services
from bot.settings import Settings
from tests.helpers.senders import RecordingSender


@pytest.fixture
async def sender() -> RecordingSender:
    """What the services send to Telegram, recorded."""
    return RecordingSender()


@pytest.fixture
async def services(settings: Settings, sender: RecordingSender) -> AsyncIterator[Services]:
    """The use cases on the test's database (SQLite and PostgreSQL), sending to ``sender``."""
    opened = await open_services(settings, {"telegram": sender})
    yield opened
    await opened.close()
