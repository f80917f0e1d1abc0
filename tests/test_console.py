"""``signaalbot chat``: the whole signaler flow in a terminal, driven through stdin."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

from storage.crypto import Keyring
from storage.models import Draft, sealing_context

ANSWERS = [
    "2",  # Is er nu direct gevaar? Nee
    "1",  # Kapper / salon
    "4531 ab",
    "12a",
    "1", "2", "3", "3", "10",  # tick 1 and 2, tick and untick 3, then Klaar
    "onzin",  # text where a button is expected: explained, nothing lost
    "3",  # Langer dan een half jaar
    "Elke week",  # a button label typed out
    "2", "6",  # Aangebeld, Klaar
    "Hij zit <altijd> binnen & zegt weinig",
    "3",  # Weet ik niet
    "1",  # contact: ja
    "Jan Jansen",
    "06-12345678",
    "1",  # Versturen
]


def signaalbot() -> list[str]:
    script = Path(sys.executable).parent / "signaalbot"
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot"]


def test_chat_completes_a_signal_through_stdin(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIGNAALBOT_")}
    result = subprocess.run([*signaalbot(), "chat"], input="\n".join(ANSWERS) + "\n",
                            capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Demo:" in out
    assert "Kies een van de knoppen" in out  # the stray text got its explanation
    reference = re.search(r"SP-\d{4}-\d{6}", out)
    assert reference, out[-2000:]
    summary = out[out.index("Uw signaal\n"):out.index("Klopt dit?")]
    assert "Beschrijving: Hij zit <altijd> binnen & zegt weinig" in summary, summary
    alert = out[out.index("=== Melding aan het team"):out.index("=== einde melding")]
    for expected in (reference.group(0), "Kapper / salon", "4531 AB", "12 A", "Elke week",
                     "Gordijnen steeds dicht, Post stapelt zich op", "Jan Jansen", "0612345678",
                     "Hij zit <altijd> binnen & zegt weinig"):
        assert expected in alert, expected
    assert "Traceback" not in result.stderr
    with sqlite3.connect(tmp_path / "signaalbot.db") as db:
        assert db.execute("select reference, role from signals").fetchall() == [
            (reference.group(0), "kapper")]
        [(channel, lookup, state)] = db.execute(  # the end marker of the conversation
            "select channel, external_hash, state from drafts").fetchall()
    keys = Keyring((tmp_path / "signaalbot.key").read_text().strip())
    where = sealing_context(Draft, "state", {"channel": channel, "external_hash": lookup})
    assert "answers" not in keys.decrypt_json(state, where)
    with sqlite3.connect(tmp_path / "signaalbot.db") as db:
        assert db.execute("select count(*) from outbox where sent_at is null").fetchone() == (0,)
