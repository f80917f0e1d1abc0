"""Questionnaires as data files: loading, `questionnaire check` and `show`, markers."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.main import app
from bot.core.engine import Engine
from bot.core.inputs import Choose, Text
from bot.core.questionnaires import SIGNAL_FILE, signal, with_extras
from bot.core.questionnaires.loader import QuestionnaireError, check, load, load_extras
from tests.helpers.cli import signaalbot

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_EXTRAS = ROOT / "docs" / "extra-questions.example.toml"

# A questionnaire with one planted error per marked line ("# <- ..."); each must be reported
# with that line.
BROKEN = '''id = "kapot"

[[groups]]
id = "g"
label = "Groep"

[[questions]]
id = "role"
kind = "choice"
marker = "role"
text = "Wie bent u?"
colour = "blue"  # <- unknown key
options = [
  { value = "kapper", label = "Kapper" },
  { value = "lang", label = "LONG" },  # <- label too long
  { value = "stil" },  # <- missing label
]

[[questions]]
id = "postcode"
kind = "postcode"
marker = "postcode"
text = ""  # <- missing text

[[questions]]
id = "signs"
kind = "multi"
marker = "signs"
text = "Wat viel op?"
when = { question = "nergens", in = ["ja"] }  # <- dangling condition
options = [{ value = "post", label = "Post" }]

[[questions]]
id = "contact_ok"
kind = "choice"
marker = "consent"
text = "Contact?"
when = { question = "role", in = ["zanger"] }  # <- dangling condition (no such option)
options = [{ value = "ja", label = "Ja", grants = true },
           { value = "stop", label = "Stop", ends = true }]

[[questions]]
id = "naam"
kind = "text"
text = "Uw naam?"
max_chars = 80
group = "h"  # <- unknown group

[[questions]]
id = "waarom"
kind = "text"
text = "Waarom?"
max_chars = 80
when = { question = "contact_ok", in = ["stop"] }  # <- unreachable

[[questions]]
id = "summary"
kind = "summary"
text = "Klopt dit?"
options = [{ value = "send", label = "Versturen" }]

[[questions]]  # <- unreachable
id = "na"
kind = "choice"
text = "Nog iets?"
options = [{ value = "ja", label = "Ja" }]
'''.replace("LONG", "Een lange omschrijving die nooit op een knop past. " * 2)


def planted(text: str) -> dict[int, str]:
    """Line number -> what was planted there."""
    return {number: line.split("# <- ")[1] for number, line in enumerate(text.splitlines(), 1)
            if "# <- " in line}


def test_check_reports_each_planted_error_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "kapot.toml"
    path.write_text(BROKEN, encoding="utf-8")
    result = CliRunner().invoke(app, ["questionnaire", "check", str(path)])
    assert result.exit_code == 1
    reported = result.output.splitlines()
    lines = [int(re.match(rf"{re.escape(str(path))}:(\d+): ", line)[1]) for line in reported]
    assert sorted(lines) == sorted(planted(BROKEN)), result.output
    words = {"unknown key": "unknown key", "label too long": "too long for a button",
             "missing label": "missing label", "missing text": "missing text",
             "dangling condition": "dangling condition", "unknown group": "unknown group",
             "unreachable": "unreachable"}
    for number, what in planted(BROKEN).items():
        key = next(word for word in words if what.startswith(word))
        assert any(line.startswith(f"{path}:{number}: ") and words[key] in line
                   for line in reported), (number, what, result.output)


def test_check_reports_malformed_toml_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "stuk.toml"
    path.write_text('id = "x"\n\n[[questions]\n', encoding="utf-8")
    [problem] = check(path)
    assert problem.startswith(f"{path}: malformed TOML: ") and "at line 3" in problem


def test_extra_questions_are_checked_too(tmp_path: Path) -> None:
    path = tmp_path / "extra.toml"
    path.write_text('title = "Extra"\n\n[[questions]]\nid = "x"\nkind = "postcode"\n'
                    'text = "Postcode?"\nmarker = "role"\n', encoding="utf-8")
    problems = check(path)
    assert any(p.startswith(f"{path}:5: ") and "kind must be one of" in p for p in problems)
    assert check(EXAMPLE_EXTRAS) == []


def test_the_shipped_files_have_no_problems() -> None:
    assert check(SIGNAL_FILE) == []
    result = subprocess.run([*signaalbot(), "questionnaire", "check", str(SIGNAL_FILE)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "no problems" in result.stdout, result.stderr


def test_show_prints_the_flow_for_a_policy_officer() -> None:
    result = CliRunner().invoke(app, ["questionnaire", "show"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith("Questionnaire signaal-v1: 16 questions")
    assert "2. [acute] (choice)\n   Asked only if [danger] is \"Ja, er is nu gevaar\"." in out
    assert "Bel nu 112. Dit meldpunt is geen hulpdienst." in out  # HTML tags gone
    assert "   - Nee, stoppen  -> ends the conversation" in out
    assert "(hoogstens 1000 tekens)" in out
    assert 'In the summary and the alert as "Melder".' in out
    extras = CliRunner().invoke(app, ["questionnaire", "show", str(EXAMPLE_EXTRAS)]).output
    assert "Asked only if the address lies in GM0000." in extras
    assert "Personal: never logged" in extras


def test_the_engine_names_no_question_of_the_signal_questionnaire() -> None:
    for name in ("engine.py", "intake.py", "cards.py", "alerts.py", "staff.py", "privacy.py"):
        module = ROOT / "bot" / "core" / name
        source = module.read_text(encoding="utf-8")
        for question in signal().questions:
            for quoted in (f'"{question.id}"', f"'{question.id}'"):
                assert quoted not in source, (module.name, question.id)


def test_markers_find_the_questions_the_code_needs() -> None:
    questionnaire = signal()
    assert questionnaire.marked("role").id == "role"
    assert questionnaire.marked("postcode").id == "postcode"
    assert questionnaire.consented({"contact_ok": "ja"})
    assert not questionnaire.consented({"contact_ok": "nee"})
    assert not questionnaire.consented({})
    assert signal(200).marked("description").max_chars == 200
    assert "(hoogstens 200 tekens)" in signal(200).marked("description").text


def test_a_renamed_question_still_works_through_its_marker(tmp_path: Path) -> None:
    text = SIGNAL_FILE.read_text(encoding="utf-8")
    renamed = re.sub(r'(?<=")role(?=")', "wie", text).replace('marker = "wie"', 'marker = "role"')
    path = tmp_path / "anders.toml"
    path.write_text(renamed, encoding="utf-8")
    engine = Engine(load(path))
    result = engine.start("t", {"remembered_role": "bezorger"})
    result = engine.step(result.draft, Choose("danger", "nee"))
    assert "Pakket- of postbezorger" in result.prompt.text
    result = engine.step(result.draft, Choose("role_confirm", "nee"))
    result = engine.step(result.draft, Choose("wie", "kapper"))
    assert result.draft.answers["wie"] == "kapper"
    assert engine.summary_lines(result.draft.answers)[0] == ("Melder", "Kapper / salon")


def test_a_broken_file_does_not_load(tmp_path: Path) -> None:
    path = tmp_path / "kapot.toml"
    path.write_text(BROKEN, encoding="utf-8")
    with pytest.raises(QuestionnaireError) as raised:
        load(path)
    assert len(raised.value.problems) == len(planted(BROKEN))


def test_extra_questions_are_asked_only_in_their_gemeente() -> None:
    questionnaire = with_extras(signal(), {"GM0715": EXAMPLE_EXTRAS})
    group, questions = load_extras(EXAMPLE_EXTRAS, "GM0715")
    assert [q.id for q in questions] == ["GM0715_mantelzorg", "GM0715_wie"]
    assert questions[1].personal and not questions[1].counted and questions[0].counted
    assert questionnaire.questions[-1].kind == "summary"
    assert questionnaire.questions[-3:-1] == questions
    engine = Engine(questionnaire)
    answers = {q.id: "x" for q in signal().questions if q.id != "summary"}
    draft = engine.start("t", {**answers, "gemeente": "GM0917"}).draft
    assert engine.current(draft).kind == "summary"  # another gemeente: not asked
    result = engine.start("t", {**answers, "gemeente": "GM0715"})
    assert result.prompt.question == "GM0715_mantelzorg"
    result = engine.step(result.draft, Text("Ja"))
    result = engine.step(result.draft, Text("Buurvrouw Els"))
    assert result.prompt.question == "summary"
    assert "<b>Mantelzorg:</b> Ja\n<b>Mantelzorger:</b> Buurvrouw Els" in result.prompt.text
