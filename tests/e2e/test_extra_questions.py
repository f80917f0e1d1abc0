"""A gemeente's own extra questions, end to end: the conversation, the summary, the alert and
the monitoring export (cijfers.csv), on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.core.monitoring import compute
from bot.core.periods import Period
from bot.reporting.report import write_report
from bot.services import open_services
from bot.settings import ConfigError, Settings, load_settings
from storage.models import utcnow
from tests.conftest import HEERLEN, HILLEGOM, TERNEUZEN, make_settings
from tests.harness import BotRunner, Person
from tests.helpers.cli import clean_environment
from tests.helpers.monitoring_data import row, seed
from tests.helpers.senders import NoSender

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "extra-questions.example.toml"


@pytest.fixture
def settings(db_url: str) -> Settings:
    """Terneuzen asks the example's extra questions; Heerlen asks none."""
    return make_settings(db_url, gemeenten=[{**TERNEUZEN, "questions": str(EXAMPLE)}, HEERLEN,
                                            HILLEGOM])


async def walk_to_extras(person: Person, postcode: str) -> None:
    await person.command("start")
    await person.tap("Nee")
    await person.tap("Kapper")
    await person.say(postcode)
    await person.say("12")
    await person.tap("Post stapelt", "Klaar")
    await person.tap("Langer dan een half jaar", "Elke week")
    await person.tap("Aangebeld", "Klaar")
    await person.tap("Overslaan")
    await person.tap("Weet ik niet")
    await person.tap("anoniem")


async def test_extra_questions_in_conversation_summary_alert_and_export(
        api: Any, runner: BotRunner, tmp_path: Path) -> None:
    person = Person(runner, 501, "Kim")
    await walk_to_extras(person, "4531 ab")
    assert "Geeft iemand de persoon mantelzorg?" in person.last
    await person.tap("Ja")
    assert "Wie geeft die zorg?" in person.last
    await person.say("Buurvrouw Els")
    summary = person.last
    assert re.search(r"Mantelzorg:(</b>)? Ja\b", summary), summary
    assert re.search(r"Mantelzorger:(</b>)? Buurvrouw Els", summary), summary
    await person.tap("Versturen")

    await api.wait_for(lambda: api.messages(7001))
    alert = api.messages(7001)[0]["text"]
    assert re.search(r"Mantelzorg:(</b>)? Ja\b", alert), alert
    assert "Buurvrouw Els" in alert

    async with runner.services.uow() as uow:
        figures = await compute(uow.monitoring, gemeente_code="GM0715",
                                period=Period.last_weeks(1),
                                counted=runner.services.engine.questionnaire.counted)
    write_report(figures, tmp_path)
    text = (tmp_path / "cijfers.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    mine = [row for row in rows if row[0] == "vraag_GM0715_mantelzorg"]
    assert mine == [["vraag_GM0715_mantelzorg", "ja", "Mantelzorg: Ja", "< 5"],
                    ["vraag_GM0715_mantelzorg", "nee", "Mantelzorg: Nee", "0"],
                    ["vraag_GM0715_mantelzorg", "onbekend", "Mantelzorg: Weet ik niet", "0"]]
    assert "Buurvrouw Els" not in text and "GM0715_wie" not in text  # free text never


async def test_another_gemeente_does_not_ask_them(api: Any, runner: BotRunner) -> None:
    person = Person(runner, 502, "Bo")
    await walk_to_extras(person, "6411")
    assert "Klopt dit?" in person.last and "Mantelzorg" not in person.last


def test_the_config_names_the_file_beside_it(tmp_path: Path) -> None:
    (tmp_path / "vragen.toml").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text('[[gemeenten]]\ncode = "GM0715"\nname = "Terneuzen"\n'
                      'alert_chat_ids = [1]\nquestions = "vragen.toml"\n', encoding="utf-8")
    assert load_settings(config).gemeenten[0].questions == str(tmp_path / "vragen.toml")
    (tmp_path / "vragen.toml").write_text('title = "X"\n\n[[questions]]\nid = "a"\n'
                                          'kind = "choice"\ntext = "?"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"vragen\.toml:3: a: missing options"):
        load_settings(config)


async def test_the_report_command_counts_choices_with_small_counts_suppressed(
        tmp_path: Path) -> None:
    database = tmp_path / "signaalbot.db"
    url = f"sqlite+aiosqlite:///{database}"
    services = await open_services(make_settings(url), {"telegram": NoSender()})
    day = utcnow() - timedelta(days=1)
    await seed(services.db, [{**row("GM0715", day), "choices": {"GM0715_mantelzorg": value}}
                             for value in ["ja"] * 5 + ["nee"]], not_on_board=[])
    await services.close()
    (tmp_path / "vragen.toml").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text('[[gemeenten]]\ncode = "GM0715"\nname = "Terneuzen"\npc4 = ["4531-4539"]'
                      '\nalert_chat_ids = [7001]\nquestions = "vragen.toml"\n', encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "bot", "report", "-c", str(config), "--gemeente", "GM0715",
         "--weeks", "2", "--out", str(tmp_path / "out")],
        env=clean_environment(SIGNAALBOT_DATABASE__URL=url), capture_output=True, text=True,
        timeout=60)
    assert done.returncode == 0, done.stderr
    rows = csv.reader(io.StringIO((tmp_path / "out" / "cijfers.csv").read_text("utf-8")))
    assert {row[1]: row[3] for row in rows if row[0] == "vraag_GM0715_mantelzorg"} == {
        "ja": "5", "nee": "< 5", "onbekend": "0"}
