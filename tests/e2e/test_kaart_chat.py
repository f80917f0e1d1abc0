"""A regisseur keeps the sociale kaart in the chat (/kaart): typed CSV lines, all or nothing,
pages, taking an activity off; no one else may. Telegram stand-in, SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from bot.core.sociale_kaart import Activity
from tests.harness import BotRunner, Person

LINES = "naam;wat;pc4;wanneer;contact;tags\n" + "".join(
    f"Activiteit {n:02};Iets samen doen;{4531 + n % 3};maandag;0115-00000{n % 10};samen\n"
    for n in range(1, 10)) + "Koor <De Lijster>;Samen zingen;;woensdag 19 uur;;muziek\n"


async def test_a_regisseur_adds_pages_and_removes_activities(api: Any, runner: BotRunner
                                                             ) -> None:
    carine = Person(runner, 7001, "Carine")  # regisseur of Terneuzen
    await carine.command("kaart")
    assert "Sociale kaart Terneuzen — 0 activiteit(en)" in carine.last
    assert "nog geen activiteiten" in carine.last and "/kaart GM0715" in carine.last

    await carine.say("/kaart\nnaam;wat;pc4;tags\nKoffie;Koffie drinken;4531;koffie\n"
                     "Koor;Zingen;12;musiek\n")
    assert carine.last.splitlines()[:4] == [
        "Niets opgeslagen: 2 probleem/problemen. Verbeter ze en stuur alles opnieuw.", "",
        'regel 3: kolom pc4: "12" is geen postcodegebied: vier cijfers van 1000 tot en met '
        "9999, of leeg voor de hele gemeente",
        'regel 3: kolom tags: onbekende tag "musiek" (bedoelt u "muziek"?); de tags zijn: '
        "praatje, samen, praktisch, maatje, koffie, boodschappen, vervoer, muziek, bewegen, "
        "creatief, digitaal, eten"]
    assert await runner.services.kaart.activities("GM0715") == []  # all or nothing

    await carine.say(f"/kaart GM0715\n{LINES}")
    text = carine.last
    assert text.startswith("✅ Opgeslagen: 10 nieuw, 0 bijgewerkt.")
    assert "10 activiteit(en)" in text and "Blad 1 van 2" in text
    assert "1. Activiteit 01 (4532) · samen" in text and "Koor" not in text
    await carine.tap("Volgende")
    assert "Blad 2 van 2" in carine.last
    assert "10. Koor <De Lijster> (hele gemeente) · muziek" in carine.last
    assert len(carine.texts()) == 3  # the page was turned in the same message

    await carine.tap("🗑 Koor")
    assert carine.last == "Koor <De Lijster> van de kaart halen?"
    await carine.tap("Ja, van de kaart halen")
    assert carine.toast() == "Koor <De Lijster> is van de kaart gehaald."
    assert "9 activiteit(en)" in carine.last and "Koor" not in carine.last
    activities = await runner.services.kaart.activities("GM0715")
    assert len(activities) == 9 and activities[0] == Activity(
        "Activiteit 01", "Iets samen doen", 4532, "", "maandag", "0115-000001",
        frozenset({"samen"}))

    await carine.say("/kaart\nnaam;wat;tags\nactiviteit 01;Anders nu;praatje\n")
    assert carine.last.startswith("✅ Opgeslagen: 0 nieuw, 1 bijgewerkt.")


async def test_a_csv_file_from_excel_adds_to_the_kaart(api: Any, runner: BotRunner) -> None:
    carine = Person(runner, 7001, "Carine")
    excel = ("\ufeff" + LINES.replace("\n", "\r\n")).encode()
    await runner.processed(api.send_document(7001, excel, "kaart.csv", caption="GM0715"))
    assert carine.last.startswith("✅ Opgeslagen: 10 nieuw, 0 bijgewerkt.")
    assert len(await runner.services.kaart.activities("GM0715")) == 10

    broken = "naam;wat;tags\nBus;Rijdt;bus\n".encode("cp1252") + "Caf\xe9;x;eten\n".encode(
        "cp1252")
    await runner.processed(api.send_document(7001, broken, "kaart.csv"))
    assert carine.last.splitlines()[2:] == [
        'regel 3: het bestand is geen UTF-8; sla het op als "CSV UTF-8"']
    await runner.processed(api.send_document(7001, b"PK...", "kaart.xlsx",
                                             mime_type="application/vnd.ms-excel"))
    assert carine.last.startswith("Stuur de kaart als CSV-bestand (.csv)")
    assert len(await runner.services.kaart.activities("GM0715")) == 10

    signaler = Person(runner, 603)  # a document from anyone else is not taken
    await runner.processed(api.send_document(603, excel, "kaart.csv"))
    assert signaler.texts() and not any("kaart" in text.lower() for text in signaler.texts())
    assert "Welkom bij het Signaalpunt" in signaler.last  # the intake takes it as ever


async def test_only_the_gemeentes_regisseurs_keep_its_kaart(api: Any, runner: BotRunner
                                                           ) -> None:
    carine, ahmed = Person(runner, 7001, "Carine"), Person(runner, 7003, "Ahmed")
    bram = Person(runner, 7101, "Bram")  # regisseur of Heerlen
    await ahmed.command("kaart")  # in Terneuzen's team, no regisseur
    assert ahmed.last == "Geen toegang."
    await bram.say("/kaart GM0715\nnaam;wat;tags\nX;Y;samen\n")
    assert bram.last == "Geen toegang."
    await carine.say(f"/kaart\n{LINES}")
    message, data = carine.button("🗑 Activiteit 01")
    await runner.processed(api.press(7101, message, data, check=False))
    assert bram.toast() == "Geen toegang."
    assert len(await runner.services.kaart.activities("GM0715")) == 10
    await runner.processed(api.press(7101, message, "k|rmok|GM0917|123456789abc", check=False))
    assert bram.toast() == "Die activiteit staat niet meer op de kaart."
