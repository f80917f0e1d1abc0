"""The pure engine and the questionnaire: no database, no channel."""

from __future__ import annotations

import pytest

from bot.core import messages
from bot.core.buttons import IntakeButton, unpack
from bot.core.draft import MENU, Draft
from bot.core.engine import Engine
from bot.core.inputs import (
    Cancel,
    Choose,
    Done,
    EditGroup,
    Input,
    Route,
    RoutedHouseNumber,
    RoutedPostcode,
    SharedContact,
    Skip,
    Text,
    Toggle,
    Unsupported,
)
from bot.core.parsing import parse_house_number, parse_phone, parse_postcode
from bot.core.prompts import Capabilities, Result, Status
from bot.core.questionnaires import signal

ENGINE = Engine(signal(description_max_chars=100))
TERNEUZEN = Route(on_board=True, gemeente="GM0715", gemeente_name="Terneuzen")


class Walk:
    """Steps a draft through the engine, keeping the latest result."""

    def __init__(self, prefill: dict[str, str] | None = None) -> None:
        self.result = ENGINE.start("tok", prefill)

    @property
    def draft(self) -> Draft:
        return self.result.draft

    @property
    def at(self) -> str | None:
        return self.result.prompt.question if self.result.prompt else None

    def __call__(self, *inputs: Input) -> Result:
        for given in inputs:
            self.result = ENGINE.step(self.draft, given)
        return self.result


def to_summary(walk: Walk, *, contact: bool = True) -> None:
    walk(Choose("danger", "nee"), Choose("role", "kapper"),
         RoutedPostcode("4531 AB", TERNEUZEN), Text("12a"),
         Toggle("signs", "post", True), Toggle("signs", "gordijnen", True), Done("signs"),
         Choose("since", "lang"), Choose("frequency", "wekelijks"),
         Toggle("actions", "aangebeld", True), Done("actions"),
         Text("Ziet er <slecht> uit & zegt weinig"), Choose("person_knows", "nee"))
    if contact:
        walk(Choose("contact_ok", "ja"), Text("Fatima"), SharedContact("+31 6 1234 5678"))
    else:
        walk(Choose("contact_ok", "nee"))


def test_full_walk_reaches_summary_with_escaped_text() -> None:
    walk = Walk()
    to_summary(walk)
    assert walk.at == "summary"
    answers = walk.draft.answers
    assert answers["signs"] == ["gordijnen", "post"]  # questionnaire order, not tap order
    assert answers["house_number"] == "12 A"
    assert answers["contact_phone"] == "+31612345678"
    assert "&lt;slecht&gt; uit &amp; zegt" in walk.result.prompt.text
    assert "<slecht>" not in walk.result.prompt.text
    assert walk(Choose("summary", "send")).status is Status.SUBMIT


def test_acute_danger_gives_numbers_and_stops_unless_continued() -> None:
    walk = Walk()
    result = walk(Choose("danger", "ja"))
    assert result.prompt.question == "acute"
    for number in ("112", "113", "0800-0113", "0800-1205"):
        assert number in result.prompt.text
    assert walk(Choose("acute", "stop")).status is Status.ENDED
    walk = Walk()
    walk(Choose("danger", "ja"), Choose("acute", "verder"))
    assert walk.at == "role"


def test_remembered_role_is_only_confirmed() -> None:
    walk = Walk({"remembered_role": "bezorger"})
    walk(Choose("danger", "nee"))
    assert walk.at == "role_confirm"
    assert "Pakket- of postbezorger" in walk.result.prompt.text
    walk(Choose("role_confirm", "ja"))
    assert walk.at == "postcode"
    other = Walk({"remembered_role": "bezorger"})
    other(Choose("danger", "nee"), Choose("role_confirm", "nee"))
    assert other.at == "role"


@pytest.mark.parametrize(("typed", "expected"), [
    ("4531AB", ("4531 AB", 4531)), ("4531 ab", ("4531 AB", 4531)), ("4531", ("4531", 4531)),
    (" 4531  Ab ", ("4531 AB", 4531)), ("0531AB", None), ("4531 SS", None), ("453", None),
    ("4531ABC", None), ("abcd", None), ("", None),
])
def test_postcode_parsing(typed: str, expected: tuple[str, int] | None) -> None:
    assert parse_postcode(typed) == expected


@pytest.mark.parametrize(("typed", "expected"), [
    ("12", "12"), ("12a", "12 A"), ("12 A", "12 A"), ("12-2", "12 2"), ("1001bis", "1001 BIS"),
    ("0", None), ("a12", None), ("12 abcde", None), ("", None),
])
def test_house_number_parsing(typed: str, expected: str | None) -> None:
    assert parse_house_number(typed) == expected


@pytest.mark.parametrize(("typed", "expected"), [
    ("06 12345678", "0612345678"), ("0115-123456", "0115123456"), ("+31 6 1234 5678",
    "+31612345678"), ("0031612345678", "+31612345678"), ("12345", None), ("bel me", None),
])
def test_phone_parsing(typed: str, expected: str | None) -> None:
    assert parse_phone(typed) == expected


def test_not_on_board_keeps_nothing_about_the_person_and_asks_again() -> None:
    walk = Walk()
    walk(Choose("danger", "nee"), Choose("role", "kapper"))
    route = Route(on_board=False, gemeente="GM0534", gemeente_name="Hillegom", advice="Bel HLT.")
    result = walk(RoutedPostcode("2181 AA", route))
    assert result.status is Status.INVALID
    assert "Hillegom" in result.notice and "Bel HLT." in result.notice
    assert "postcode" not in result.draft.answers and result.prompt.question == "postcode"
    assert result.draft.answers["role"] == "kapper"


def test_wrong_input_keeps_answers_and_explains() -> None:
    walk = Walk()
    walk(Choose("danger", "nee"), Choose("role", "kapper"))
    before = walk.draft
    for given in (Text("hallo"), Unsupported("photo"), Text("12"), Done("postcode")):
        result = walk(given)
        assert result.status in (Status.INVALID, Status.STALE)
        assert result.draft == before
        assert result.notice
    walk(RoutedPostcode("4531", TERNEUZEN))
    assert walk(Text("geen nummer")).status is Status.INVALID
    assert walk.draft.answers["postcode"] == "4531"


def test_text_for_a_button_question_and_typed_labels() -> None:
    walk = Walk()
    assert walk(Text("misschien")).status is Status.INVALID
    walk(Text("nee"))  # the label of a button, typed
    assert walk.at == "role"
    walk(Text("Kapper / salon"))
    assert walk.draft.answers["role"] == "kapper"


def test_multi_select_toggles_are_idempotent_and_exclusive() -> None:
    walk = Walk()
    walk(Choose("danger", "nee"), Choose("role", "kapper"), RoutedPostcode("4531", TERNEUZEN),
         Text("3"))
    assert walk(Done("signs")).status is Status.INVALID  # nothing ticked yet
    walk(Toggle("signs", "post", True), Toggle("signs", "post", True))
    assert walk.draft.selections["signs"] == ("post",)
    walk(Toggle("signs", "post", False), Toggle("signs", "post", False))
    assert walk.draft.selections["signs"] == ()
    walk(Toggle("signs", "eenzaam", True), Done("signs"), Choose("since", "kort"),
         Choose("frequency", "dagelijks"))
    walk(Toggle("actions", "aangebeld", True), Toggle("actions", "niets", True))
    assert walk.draft.selections["actions"] == ("niets",)
    walk(Toggle("actions", "aangesproken", True))
    assert walk.draft.selections["actions"] == ("aangesproken",)
    assert walk(Toggle("actions", "bogus", True)).status is Status.STALE


def test_description_limit_and_skip() -> None:
    walk = Walk()
    to_summary(walk)
    walk(Choose("summary", "edit"), EditGroup("beschrijving"))
    assert walk.at == "description"
    result = walk(Text("x" * 101))
    assert result.status is Status.INVALID and "101" in result.notice and "100" in result.notice
    assert walk.draft.answers["description"].startswith("Ziet er")
    walk(Skip("description"))  # "Zo laten" keeps the answer while editing
    assert walk.at == "summary" and walk.draft.answers["description"].startswith("Ziet er")


def test_skip_description_when_not_editing() -> None:
    walk = Walk()
    walk(Choose("danger", "nee"), Choose("role", "kapper"), RoutedPostcode("4531", TERNEUZEN),
         Text("3"), Toggle("signs", "post", True), Done("signs"), Choose("since", "kort"),
         Choose("frequency", "dagelijks"), Toggle("actions", "niets", True), Done("actions"))
    walk(Skip("description"))
    assert walk.at == "person_knows" and walk.draft.answers["description"] is None
    walk(Choose("person_knows", "ja"), Choose("contact_ok", "nee"))
    assert ("Beschrijving", messages.NOT_GIVEN) in ENGINE.summary_lines(walk.draft.answers)
    assert "None" not in ENGINE.summary_text(walk.draft.answers)
    walk(Choose("summary", "edit"), EditGroup("beschrijving"))  # nothing to keep: no "None"
    assert walk.at == "description" and "None" not in walk.result.prompt.text


def test_edit_contact_to_anonymous_drops_personal_fields() -> None:
    walk = Walk()
    to_summary(walk)
    walk(Choose("summary", "edit"))
    assert walk.at == MENU
    walk(EditGroup("contact"), Choose("contact_ok", "nee"))
    assert walk.at == "summary"
    assert "contact_name" not in walk.draft.answers
    assert "contact_phone" not in walk.draft.answers


def test_edit_anonymous_to_contact_asks_name_and_phone_then_summary() -> None:
    walk = Walk()
    to_summary(walk, contact=False)
    walk(Choose("summary", "edit"), EditGroup("contact"), Choose("contact_ok", "ja"))
    assert walk.at == "contact_name"
    walk(Text("Piet"))
    assert walk.at == "contact_phone"
    walk(Text("06-12345678"))
    assert walk.at == "summary"


def test_edit_signs_shows_current_ticks_and_returns_to_summary() -> None:
    walk = Walk()
    to_summary(walk)
    walk(Choose("summary", "edit"), EditGroup("signalen"))
    labels = [b.label for b in walk.result.prompt.buttons()]
    assert "✅ Post stapelt zich op" in labels
    walk(Toggle("signs", "bezoek", True), Done("signs"))
    assert walk.at == "summary"
    assert walk.draft.answers["signs"] == ["gordijnen", "post", "bezoek"]


def test_edit_menu_back_and_bad_input() -> None:
    walk = Walk()
    to_summary(walk)
    walk(Choose("summary", "edit"))
    assert walk(Text("iets")).status is Status.INVALID
    assert walk(Choose("role", "horeca")).status is Status.STALE
    walk(EditGroup(""))
    assert walk.at == "summary"


def test_stale_button_changes_nothing() -> None:
    walk = Walk()
    walk(Choose("danger", "nee"))
    before = walk.draft
    result = walk(Choose("danger", "ja"))  # double tap on the first question
    assert result.status is Status.STALE and result.draft == before
    assert walk(Choose("since", "kort")).status is Status.STALE


def labels(result: Result) -> list[str]:
    assert result.prompt is not None
    return [button.label for button in result.prompt.buttons()]


def test_cancel_anywhere_asks_first_then_ends() -> None:
    walk = Walk()
    to_summary(walk)
    for cancel in (Cancel(), Choose("summary", "cancel"), Text(" annuleren ")):
        before = walk.draft
        asked = walk(cancel)
        assert asked.status is Status.NEXT and asked.draft.answers == before.answers
        assert messages.CONFIRM_CANCEL in asked.prompt.text
        assert labels(asked) == [messages.CANCEL_YES, messages.CANCEL_NO]
        assert Draft.from_json(asked.draft.to_json()) == asked.draft  # stored with the draft
        for other in (Text("12"), Cancel(), Choose("summary", "send"), Unsupported("photo")):
            again = walk(other)
            assert again.status is Status.INVALID and again.draft == asked.draft
            assert messages.CONFIRM_CANCEL in again.prompt.text
        back = walk(Text("Nee, verder"))
        assert back.status is Status.NEXT and back.draft == before and walk.at == "summary"
    walk(Cancel())
    assert walk(Text("ja, stoppen")).status is Status.ENDED
    walk = Walk()
    walk(Choose("danger", "nee"))
    asked = walk(Cancel())
    [yes] = [b.input for b in asked.prompt.buttons() if b.label == messages.CANCEL_YES]
    assert walk(yes).status is Status.ENDED


def test_a_stale_confirmation_shows_the_current_question() -> None:
    walk = Walk()
    walk(Choose("danger", "nee"))
    asked = walk(Cancel())
    yes, no = (button.input for button in asked.prompt.buttons())
    walk(no, Choose("role", "kapper"))
    for stale in (yes, no):
        result = walk(stale)
        assert result.status is Status.STALE and walk.at == "postcode"
        assert result.draft.answers["role"] == "kapper"


def test_typed_label_presses_its_button_on_every_step() -> None:
    walk = Walk()
    walk(Choose("danger", "nee"), Choose("role", "kapper"), RoutedPostcode("4531", TERNEUZEN))
    assert walk(Text("1")).status is Status.NEXT and walk.draft.answers["house_number"] == "1"
    walk(Text("post stapelt zich op"), Text(" KLAAR "), Text("weet ik niet"),
         Text("Elke  week"), Text("Nog niets"), Text("klaar"))
    assert walk.at == "description"
    walk(Text("Overslaan"))  # the button, not a description
    assert walk.at == "person_knows" and walk.draft.answers["description"] is None
    walk(Text("Weet ik niet"), Text("Nee, ik blijf anoniem"), Text("✏️ Wijzigen"),
         Text("Adres"), RoutedPostcode("4532", TERNEUZEN))
    assert walk.at == "house_number"
    walk(Text("zo laten"))
    assert walk.at == "summary" and walk.draft.answers["house_number"] == "1"


def test_phone_prompt_names_the_share_button_only_where_there_is_one() -> None:
    walk = Walk()
    to_summary(walk, contact=False)
    walk(Choose("summary", "edit"), EditGroup("contact"), Choose("contact_ok", "ja"),
         Text("Piet"))
    assert walk.at == "contact_phone" and not walk.result.prompt.request_contact
    assert "Deel mijn nummer" not in walk.result.prompt.text
    assert "Deel mijn nummer" not in walk(Text("bel me")).notice
    telegram = ENGINE.on(Capabilities(share_contact=True))
    assert telegram.questionnaire is ENGINE.questionnaire
    shown = telegram.prompt(walk.draft)
    assert shown.request_contact and "Deel mijn nummer" in shown.text
    assert "Deel mijn nummer" in telegram.step(walk.draft, Text("bel me")).notice


def test_prompts_say_whether_they_take_typed_answers() -> None:
    walk = Walk()
    assert not walk.result.prompt.typed
    walk(Choose("danger", "nee"), Choose("role", "kapper"))
    assert walk.result.prompt.typed  # the postcode: a typed number is the answer


def test_draft_json_round_trip() -> None:
    walk = Walk()
    to_summary(walk)
    walk(Choose("summary", "edit"), EditGroup("signalen"), Toggle("signs", "bezoek", True))
    assert Draft.from_json(walk.draft.to_json()) == walk.draft


def test_every_prompt_button_packs_into_callback_data() -> None:
    walk = Walk()
    to_summary(walk)
    for given in [*walk.result.prompt.buttons(), *ENGINE.prompt(
            ENGINE.step(walk.draft, Choose("summary", "edit")).draft).buttons()]:
        data = IntakeButton("AbC-d_12", given.input).pack()
        assert len(data.encode()) <= 64
        assert unpack(data) == ("AbC-d_12", given.input)


@pytest.mark.parametrize("forged", [
    None, "", "garbage", "tok|", "tok|c|role", "tok|t|signs|post|2", "tok|z|a|b",
    "tok|c|role|kapper|extra", "x" * 65, "tok|c|ro le|kapper", "|c|role|kapper",
])
def test_forged_callback_data_is_rejected(forged: str | None) -> None:
    assert unpack(forged) is None


def test_a_postcode_area_in_two_gemeenten_asks_for_more() -> None:
    walk = Walk()
    walk(Choose("danger", "nee"), Choose("role", "kapper"))
    route = Route(on_board=False, candidates=(("GM0715", "Terneuzen"), ("GM1714", "Sluis")))
    result = walk(RoutedPostcode("4524", route))
    assert result.status is Status.INVALID and "meer dan één gemeente" in result.notice
    labels = [b.label for b in result.prompt.buttons()]
    assert "Terneuzen" in labels and "Sluis" in labels
    assert "postcode" not in walk.draft.answers
    walk(RoutedPostcode("4524", TERNEUZEN))  # the signaler picked (or typed the full postcode)
    assert walk.at == "house_number"
    assert "_candidates" not in walk.draft.answers and walk.draft.answers["gemeente"] == "GM0715"


def test_a_split_postcode_is_routed_by_the_house_number() -> None:
    walk = Walk()
    walk(Choose("danger", "nee"), Choose("role", "kapper"))
    walk(RoutedPostcode("4524 AB", Route(on_board=False, needs_house_number=True,
                                         candidates=(("GM0715", "Terneuzen"),))))
    assert walk.at == "house_number" and walk.draft.answers["_split"] is True
    outside = Route(on_board=False, gemeente="GM1714", gemeente_name="Sluis", advice="Bel Sluis.")
    result = walk(RoutedHouseNumber("3", outside))
    assert result.status is Status.INVALID and "Sluis" in result.notice
    assert walk.at == "postcode"  # nothing about that address is kept
    assert not {"postcode", "house_number", "_split"} & walk.draft.answers.keys()
    walk(RoutedPostcode("4524 AB", Route(on_board=False, needs_house_number=True)))
    walk(RoutedHouseNumber("5", TERNEUZEN))
    assert walk.at == "signs" and walk.draft.answers["gemeente"] == "GM0715"
    assert "_split" not in walk.draft.answers
