"""``signaalbot chat``: the whole signaler flow in a terminal, driven through stdin."""

from __future__ import annotations

import re
import signal
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

from storage.crypto import Keyring
from storage.models import DraftRow, sealing_context
from tests.helpers.cli import clean_environment, signaalbot

ANSWERS = [
    "1",  # the door: Ik maak me zorgen om iemand
    "2",  # Is er nu direct gevaar? Nee
    "1",  # Kapper / salon
    "4531 ab",
    "12a",
    "Gordijnen steeds dicht", "post",  # tick 1 and 2 by their label (or its start)
    "Overdag", "overdag in pyjama",  # tick and untick 3
    "klaar",
    "onzin",  # text where a number is expected: explained, nothing lost
    "3",  # Langer dan een half jaar
    "Elke week",  # a button label typed out
    "2, 5",  # Aangebeld and "Nog niets": refused, that one goes alone
    "2",  # Aangebeld, the checklist's answer
    "Hij zit <altijd> binnen & zegt weinig",
    "3",  # Weet ik niet
    "1",  # contact: ja
    "Jan Jansen",
    "06-12345678",
    "wijzig 9",  # there are 8 groups: refused
    "verstuur",
]


def test_chat_completes_a_signal_through_stdin(tmp_path: Path) -> None:
    out = chat(tmp_path, ANSWERS).stdout
    assert "Demo:" in out
    assert "Typ een nummer van 1 tot en met 4." in out  # the stray text got its explanation
    assert "Nu gekozen: Gordijnen steeds dicht, Post stapelt zich op, Overdag in pyjama" in out
    assert "Nog niets kunt u niet samen met iets anders kiezen." in out
    assert "Nummer 9 staat er niet bij. Typ 'wijzig' met een nummer van 1 tot en met 8." in out
    reference = re.search(r"SP-\d{4}-\d{6}", out)
    assert reference, out[-2000:]
    summary = out[out.index("Uw signaal\n"):out.index("Klopt dit?")]
    assert "Beschrijving: Hij zit <altijd> binnen & zegt weinig" in summary, summary
    alert = out[out.index("=== Melding aan het team"):out.index("=== einde melding")]
    for expected in (reference.group(0), "Kapper / salon", "4531 AB", "12 A", "Elke week",
                     "Gordijnen steeds dicht, Post stapelt zich op", "Jan Jansen", "0612345678",
                     "Hij zit <altijd> binnen & zegt weinig"):
        assert expected in alert, expected
    assert "(chat" not in out and "Deel mijn nummer" not in out
    assert "/start" in before_goodbye(out)[out.rindex("=== einde melding"):]
    assert before_goodbye(out).endswith(">")
    with sqlite3.connect(tmp_path / "signaalbot.db") as db:
        assert db.execute("select reference, role from signals").fetchall() == [
            (reference.group(0), "kapper")]
        [(channel, lookup, state)] = db.execute(  # the end marker of the conversation
            "select channel, external_hash, state from drafts").fetchall()
    keys = Keyring((tmp_path / "signaalbot.key").read_text().strip())
    where = sealing_context(DraftRow, "state", {"channel": channel, "external_hash": lookup})
    assert "answers" not in keys.decrypt_json(state, where)
    with sqlite3.connect(tmp_path / "signaalbot.db") as db:
        assert db.execute("select count(*) from outbox where sent_at is null").fetchone() == (0,)


def chat(tmp_path: Path, lines: list[str]) -> subprocess.CompletedProcess[str]:
    """``signaalbot chat`` in ``tmp_path`` with these lines typed, then end of input."""
    env = clean_environment()
    result = subprocess.run([*signaalbot(), "chat"], input="\n".join(lines) + "\n",
                            capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result


def before_goodbye(out: str) -> str:
    """What the console showed last, before "Tot ziens" at the end of input."""
    return out[:out.rindex("Tot ziens.")].rstrip()


TO_DESCRIPTION = ["1", "2", "1", "4531 ab", "12", "1", "1", "1", "5"]


def test_a_typed_number_is_the_answer_where_an_answer_is_typed(tmp_path: Path) -> None:
    out = chat(tmp_path, [
        "1", "2", "1", "4531 ab",
        "1",  # house number 1: the answer, not the button "Annuleren"
        "1", "1", "1", "5",
        "Overslaan",  # the button's label typed: pressed, not stored as the description
        "1", "2",  # person knows: ja; contact: nee
        "wijzig", "2",  # Wijzigen, Adres
        "4532",  # in edit mode the words are "zo laten" and "annuleer"
        "2",  # house number 2
        "wijzig 3",  # straight to a group from the summary
        "klaar",  # the ticks stay as they were
        "Versturen",
    ]).stdout
    assert "geannuleerd" not in out and "Weet u zeker" not in out
    alert = out[out.index("=== Melding aan het team"):out.index("=== einde melding")]
    for expected in ("Postcode: 4532", "Huisnummer: 2", "Beschrijving: —"):
        assert expected in alert, alert
    assert "Overslaan" not in alert
    assert "Gordijnen steeds dicht" in alert


def test_cancelling_asks_first_and_no_keeps_everything(tmp_path: Path) -> None:
    out = chat(tmp_path, ["1", "2", "1", "4531 ab", "/cancel", "Nee, verder", "12",
                          "annuleren",  # a button's label typed on a choice step
                          "2",  # Nee, verder (the confirmation is a choice step)
                          "1", "/stop", "ja"]).stdout
    assert out.count("Weet u zeker dat u wilt stoppen? Wat u invulde wordt gewist.") == 3
    after_no = out[out.index("Nee, verder\n", out.index("Weet u zeker")):]
    assert after_no.index("Welk huisnummer?") < after_no.index("Wat is u opgevallen?")
    assert "✔ Gordijnen steeds dicht" in out  # the answers before were all kept
    assert "geannuleerd" in out[out.rindex("Weet u zeker"):]
    with sqlite3.connect(tmp_path / "signaalbot.db") as db:
        assert db.execute("select count(*) from signals").fetchone() == (0,)
        [(channel, lookup, state)] = db.execute(
            "select channel, external_hash, state from drafts").fetchall()
    keys = Keyring((tmp_path / "signaalbot.key").read_text().strip())
    where = sealing_context(DraftRow, "state", {"channel": channel, "external_hash": lookup})
    assert "answers" not in keys.decrypt_json(state, where)  # nothing the person typed


def test_an_end_state_says_what_to_do_next(tmp_path: Path) -> None:
    out = chat(tmp_path, ["1", "1", "Nee, stoppen"]).stdout  # acute danger, then stop
    last = before_goodbye(out)
    assert "Er is niets doorgegeven" in last
    assert last.endswith(">") and "/quit" in last[last.index("Er is niets doorgegeven"):]


def test_resuming_asks_once(tmp_path: Path) -> None:
    chat(tmp_path, ["1", "2", "1", "/quit"])
    out = chat(tmp_path, ["Verder waar ik was"]).stdout
    assert out.count("U was al bezig met een bericht") == 1
    assert "Wat is de postcode" in out[out.index("U was al bezig"):]


def test_ctrl_c_exits_at_once(tmp_path: Path) -> None:
    env = clean_environment()
    with subprocess.Popen([*signaalbot(), "chat"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, cwd=tmp_path, env=env, text=True) as process:
        assert process.stdout is not None and process.stderr is not None
        shown: list[str] = []
        reader = threading.Thread(target=lambda: shown.extend(iter(
            lambda: process.stdout.read(1), "")), daemon=True)  # type: ignore[union-attr]
        reader.start()
        try:
            deadline = time.monotonic() + 30
            while "> " not in "".join(shown):  # the first question is on screen
                assert time.monotonic() < deadline and process.poll() is None, "".join(shown)
                time.sleep(0.05)
            process.send_signal(signal.SIGINT)  # stdin stays open: nobody presses Enter
            assert process.wait(timeout=5) == 130
        finally:
            process.kill()
        reader.join(5)
        errors = process.stderr.read()
    assert not errors.strip(), errors
    assert "".join(shown).endswith("Tot ziens.\n")


def test_help_privacy_and_unknown_commands(tmp_path: Path) -> None:
    out = chat(tmp_path, ["1", "2", "/help", "/privacy", "/foo"]).stdout
    start = out.index("Zo werkt het")
    help_text = out[start:out.index("Wie bent u?", start)]
    for command in ("/start", "/cancel", "/privacy", "/vergeetmij", "/quit"):
        assert command in help_text, command
    assert "nummer" in help_text  # how buttons are pressed here
    privacy = out[out.index("Privacy"):]
    assert "/vergeetmij" in privacy[:privacy.index("Wie bent u?")]
    unknown = out[out.index("Die opdracht ken ik niet"):]
    assert "Kies een van de knoppen" not in unknown
    assert "/quit" in unknown and "Wie bent u?" in unknown


def test_no_prompt_names_a_telegram_only_button(tmp_path: Path) -> None:
    out = chat(tmp_path, [*TO_DESCRIPTION, "Overslaan", "1", "1", "Jan", "bel me"]).stdout
    assert "Op welk telefoonnummer" in out and "geen geldig telefoonnummer" in out
    assert "Deel mijn nummer" not in out


def test_the_console_opens_with_the_three_doors_and_walks_a_self_report(
        tmp_path: Path) -> None:
    out = chat(tmp_path, ["2", "1", "1 3", "4531 ab", "2", "4", "Mila", "1", "verstuur"]).stdout
    doors = out[:out.index("> ")]
    for door in ("1. Ik maak me zorgen om iemand", "2. Ik voel me zelf eenzaam",
                 "3. Ik wil iets doen voor een ander"):
        assert door in doors, doors
    alert = out[out.index("=== Melding aan het team"):out.index("=== einde melding")]
    assert "Nieuwe zelfmelding" in alert and "Een praatje, Hulp bij iets praktisch" in alert
    with sqlite3.connect(tmp_path / "signaalbot.db") as db:
        assert db.execute("select kind, role from signals").fetchall() == [
            ("zelfmelding", "zelfmelding")]


def test_vergeetmij_in_the_console(tmp_path: Path) -> None:
    out = chat(tmp_path, [*ANSWERS, "/vergeetmij", "Ja, vergeet mij"]).stdout
    assert "Uw gegevens zijn gewist (1 signalen)" in out
    updated = out[out.index("=== Melding aan het team (bijgewerkt) ==="):]
    assert "Jan Jansen" not in updated[:updated.index("=== einde melding")]  # the team's copy
    assert before_goodbye(out).endswith(">")
    with sqlite3.connect(tmp_path / "signaalbot.db") as db:
        assert db.execute("select signaler_id from signals").fetchall() == [(None,)]
        assert db.execute("select count(*) from signalers").fetchone() == (0,)
        assert db.execute("select count(*) from drafts").fetchone() == (0,)
