"""Languages on Telegram: the app's language, /taal, Dutch alerts, feedback in the signaler's."""

from __future__ import annotations

from typing import Any

from storage.models import Signaler
from tests.harness import BotRunner, Person, claim_and_close, file_signal
from tests.helpers.stored import rows

CARINE = 7001  # a regisseur whose alerts come to her own chat too


async def test_taal_chooses_english_and_later_feedback_comes_in_english(
        api: Any, runner: BotRunner) -> None:
    person = Person(runner, 521)  # the app says no language: Dutch until they choose
    await person.command("taal")
    assert "In welke taal" in person.last
    await person.tap("English")
    assert person.last == "All right: from now on I will write in English."
    await file_signal(person, language="en", contact=False)
    assert person.last == person.thanks()  # with a question to start a conversation, the news
    assert "picked up" in person.last and "conversation" in person.last
    assert person.last.endswith("Would you like short news from the Signaalpunt Terneuzen now "
                                "and then?")
    [signaler] = await rows(runner, Signaler)
    assert signaler.language == "en"

    await api.wait_for(lambda: api.messages(CARINE))
    carine = Person(runner, CARINE, "Carine", language_code="en")  # staff read Dutch anyway
    alert = api.messages(CARINE)[0]["text"]
    assert "Kapper / salon" in alert and "Gordijnen steeds dicht" in alert
    await claim_and_close(carine, CARINE)
    await api.wait_for(lambda: "dealt with" in person.last)
    feedback = person.texts()[-2:]
    assert "has been picked up by the Signaalpunt Terneuzen" in feedback[0]
    assert "has been dealt with" in feedback[1]
    await api.wait_for(lambda: "Afgerond" in api.messages(CARINE)[0]["text"])  # still Dutch


async def test_an_english_app_can_choose_dutch(api: Any, runner: BotRunner) -> None:
    person = Person(runner, 522, language_code="en-GB")
    await person.command("start")
    assert "immediate danger" in person.last
    await person.command("taal")
    await person.tap("Nederlands")
    assert person.last == "Goed: vanaf nu schrijf ik in het Nederlands."
    await person.command("help")
    assert "Zo werkt het" in person.texts()[-2] and "direct gevaar" in person.last
    [signaler] = await rows(runner, Signaler)
    assert signaler.language == "nl" and signaler.role is None


async def test_the_command_menu_is_there_in_english(api: Any, runner: BotRunner) -> None:
    english = {c["command"]: c["description"] for c in api.commands(language_code="en")}
    assert english["taal"] == "Choose another language" and english["help"] == "How it works"
    assert {c["command"]: c["description"] for c in api.commands()}["help"] == "Uitleg"
