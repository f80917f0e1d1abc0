"""The door and the questionnaires it opens: markers per kind, the door question, the engine."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.main import app
from bot.core.draft import Draft
from bot.core.engine import Engine
from bot.core.inputs import Cancel, Choose, Done, Text, Toggle
from bot.core.prompts import Capabilities, Status
from bot.core.questionnaire import Kind, ReportKind
from bot.core.questionnaires import DOOR_FILE, FLOW_FILES, door, offered, others, signal
from bot.core.questionnaires.loader import QuestionnaireError, check, load
from bot.settings import Settings

ALL = (ReportKind.SIGNAAL, ReportKind.ZELFMELDING, ReportKind.VRIJWILLIGER)
SMALL = '''id = "klein"
kind = "{kind}"

[[questions]]
id = "pc"
kind = "postcode"
marker = "postcode"
text = "Postcode?"

[[questions]]
id = "ok"
kind = "choice"
marker = "consent"
text = "Mag het?"
options = [{{ value = "ja", label = "Ja", grants = true }}]

[[questions]]
id = "summary"
kind = "summary"
text = "Klopt dit?"
options = [{{ value = "send", label = "Versturen" }}]
'''


def engine() -> Engine:
    door_questionnaire, flows = offered(door(), (signal(), *others()), ALL)
    assert door_questionnaire is not None
    return Engine(door_questionnaire, flows=flows)


def written(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "q.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_door_and_flows_have_no_problems() -> None:
    for path in (DOOR_FILE, *FLOW_FILES):
        assert check(path) == [], path
    assert [q.kind for q in others()] == [ReportKind.ZELFMELDING, ReportKind.VRIJWILLIGER]
    assert door().kind is ReportKind.DEUR


def test_the_markers_a_questionnaire_needs_follow_its_kind(tmp_path: Path) -> None:
    for kind in ("zelfmelding", "vrijwilliger"):  # no role, no signs: they are not signals
        assert load(written(tmp_path, SMALL.format(kind=kind))).kind == kind
    problems = check(written(tmp_path, SMALL.format(kind="signaal")))
    assert any("marked 'role'" in p for p in problems)
    assert any("marked 'signs'" in p for p in problems)
    without_consent = SMALL.format(kind="zelfmelding").replace('marker = "consent"\n', "")
    assert any("marked 'consent'" in p for p in check(written(tmp_path, without_consent)))
    [problem] = check(written(tmp_path, SMALL.format(kind="zorgen")))
    assert ":2: unknown kind 'zorgen'" in problem
    no_kind = SMALL.format(kind="x").replace('kind = "x"\n', "")  # a signal's: needs a role
    assert any("marked 'role'" in p for p in check(written(tmp_path, no_kind)))


def test_a_door_is_one_question_whose_options_each_open_a_questionnaire(tmp_path: Path) -> None:
    text = DOOR_FILE.read_text(encoding="utf-8")
    missing = text.replace(', opens = "zelfmelding-v1"', "")
    assert any("option zelf: a door's option names the questionnaire it opens" in p
               for p in check(written(tmp_path, missing)))
    as_choice = SMALL.format(kind="zelfmelding").replace(
        'label = "Ja", grants = true', 'label = "Ja", grants = true, opens = "signaal-v1"')
    assert any("only a door's options open a questionnaire" in p
               for p in check(written(tmp_path, as_choice)))
    elsewhere = SMALL.format(kind="zelfmelding").replace(
        'kind = "choice"', 'kind = "door"').replace("grants = true", 'opens = "x"')
    assert any("only a door questionnaire" in p for p in check(written(tmp_path, elsewhere)))
    two = text + text[text.index("[[questions]]"):].replace('id = "deur"', 'id = "deur2"')
    assert any("a door questionnaire is one question" in p for p in check(written(tmp_path, two)))


def test_the_door_offers_the_configured_kinds_and_none_for_one_kind() -> None:
    door_questionnaire, flows = offered(door(), (signal(), *others()), ALL)
    assert door_questionnaire is not None
    [question] = door_questionnaire.questions
    assert question.kind is Kind.DOOR
    assert [o.opens for o in question.options] == list(flows) == [
        "signaal-v1", "zelfmelding-v1", "vrijwilliger-v1"]
    two, flows = offered(door(), (signal(), *others()), (ReportKind.SIGNAAL,
                                                        ReportKind.VRIJWILLIGER))
    assert two is not None and [o.value for o in two.questions[0].options] == ["signaal", "helpen"]
    none, flows = offered(door(), (signal(), *others()), (ReportKind.ZELFMELDING,))
    assert none is None and list(flows) == ["zelfmelding-v1"]
    with pytest.raises(QuestionnaireError, match="no questionnaire vrijwilliger-v1"):
        offered(door(), (signal(), *others()[:1]), ALL)


def test_the_engine_walks_the_questionnaire_a_door_opens() -> None:
    walker = engine()
    start = walker.start("t")
    assert start.prompt is not None and start.prompt.question == "deur"
    opened = walker.step(start.draft, Choose("deur", "zelf"))
    assert opened.status is Status.NEXT and opened.draft.flow == "zelfmelding-v1"
    assert opened.prompt is not None and "zelfdoding" in opened.prompt.text
    assert opened.ack == "Ik voel me zelf eenzaam" and opened.draft.answers == {}
    assert walker.walking(opened.draft).questionnaire.kind is ReportKind.ZELFMELDING
    assert walker.current(opened.draft).id == "zm_veilig"  # type: ignore[union-attr]
    step = walker.step(opened.draft, Choose("zm_veilig", "nee"))
    step = walker.step(step.draft, Toggle("zm_wens", "praatje", True))
    step = walker.step(step.draft, Done("zm_wens"))
    assert step.prompt is not None and "postcode" in step.prompt.text
    assert walker.walking(step.draft).summary_text({}).startswith("<b>Uw bericht</b>")
    asked = walker.step(step.draft, Cancel())  # cancelling works in the opened questionnaire
    assert asked.draft.cancelling and asked.draft.flow == "zelfmelding-v1"
    # a stale door button, pressed again later, changes nothing
    assert walker.step(step.draft, Choose("deur", "signaal")).status is Status.STALE


def test_the_door_is_a_choice_of_buttons_or_numbers_and_skipped_by_a_flow_start() -> None:
    walker = engine()
    draft = Draft(token="t")
    typed = walker.step(draft, Text("Ik wil iets doen voor een ander"))
    assert typed.draft.flow == "vrijwilliger-v1"
    numbered = walker.on(Capabilities(numbered=True))
    assert numbered.step(draft, Text("2")).draft.flow == "zelfmelding-v1"
    assert walker.step(draft, Text("iets anders")).status is Status.INVALID
    straight = walker.start("t", flow="signaal-v1")
    assert straight.prompt is not None and straight.prompt.question == "danger"
    assert walker.of_kind(ReportKind.VRIJWILLIGER) is walker.flow("vrijwilliger-v1")
    assert walker.flow("signaal-v0").questionnaire.id == "signaal-v1"  # an older signal's


def test_the_flows_setting_offers_every_kind_by_default_but_never_the_door() -> None:
    assert Settings().intake.flows == list(ALL)
    with pytest.raises(ValueError, match="the door is not a kind of report"):
        Settings(intake={"flows": ["signaal", "deur"]})
    with pytest.raises(ValueError):
        Settings(intake={"flows": []})


def test_show_says_which_questionnaire_a_door_option_opens() -> None:
    result = CliRunner().invoke(app, ["questionnaire", "show", str(DOOR_FILE)])
    assert result.exit_code == 0, result.output
    assert "- Ik voel me zelf eenzaam  -> opens zelfmelding-v1" in result.output


def test_a_channel_that_cannot_send_later_is_not_offered_contact_via_chat(
        tmp_path: Path) -> None:
    web = engine().on(Capabilities(replies=False)).flow("zelfmelding-v1")
    question = web.questionnaire.get("zm_hoe")
    assert question is not None and [o.value for o in question.options] == ["telefoon"]
    chat = engine().flow("zelfmelding-v1").questionnaire.get("zm_hoe")
    assert chat is not None and [o.value for o in chat.options] == ["telefoon", "chat"]
    only_chat = SMALL.format(kind="zelfmelding").replace(
        "grants = true }", "grants = true, via_chat = true }")
    with pytest.raises(QuestionnaireError, match="an option without via_chat"):
        load(written(tmp_path, only_chat))
