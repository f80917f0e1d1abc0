"""Prompts as numbered text and typed lines read back, on their own and through the engine."""

from __future__ import annotations

import html
import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core import messages, numbered
from bot.core.draft import CONFIRM_CANCEL, MENU
from bot.core.engine import Engine
from bot.core.inputs import (
    Cancel,
    Choose,
    Done,
    EditGroup,
    Input,
    Route,
    RoutedPostcode,
    Select,
    Skip,
    Text,
    Toggle,
)
from bot.core.numbered import Refusal, read, render
from bot.core.prompts import Button, Capabilities, Prompt, Result, Status
from bot.core.questionnaire import Kind
from bot.core.questionnaires import signal

QUESTIONNAIRE = signal(description_max_chars=100)
TELEGRAM = Engine(QUESTIONNAIRE)
ENGINE = TELEGRAM.on(Capabilities(numbered=True))
TERNEUZEN = Route(on_board=True, gemeente="GM0715", gemeente_name="Terneuzen")
GROUPS = 8  # the signal questionnaire's edit groups, all of which apply


class Chat:
    """A conversation on a channel without buttons: every line is typed text."""

    def __init__(self, prefill: dict[str, str] | None = None) -> None:
        self.result = ENGINE.start("tok", prefill)

    @property
    def prompt(self) -> Prompt:
        assert self.result.prompt is not None
        return self.result.prompt

    @property
    def at(self) -> str:
        return self.prompt.question

    def __call__(self, *lines: str | Input) -> Result:
        for line in lines:
            given = Text(line) if isinstance(line, str) else line
            self.result = ENGINE.step(self.result.draft, given)
        return self.result

    def refused(self, line: str) -> str:
        """The notice for a line that must change nothing."""
        before = self.result
        result = self(line)
        assert result.status is Status.INVALID, result
        assert result.draft == before.draft and result.prompt == before.prompt
        assert result.notice
        return result.notice


def to_summary(chat: Chat) -> None:
    chat("2", "kapper", RoutedPostcode("4531 AB", TERNEUZEN), "12a", "1 2", "3", "elke week",
         "2", "Hij zit <altijd> binnen", "nee", "ja", "Fatima", "06 12345678")
    assert chat.at == "summary"


# -- render


def test_a_choice_is_a_numbered_list_with_its_words() -> None:
    text = render(Chat().prompt)
    assert text.startswith("<b>Is er nu direct gevaar</b>")
    assert "\n\n1. Ja, er is nu gevaar\n2. Nee\n\n" in text
    assert messages.TYPE_A_NUMBER in text
    assert messages.OR_TYPE.format(words=messages.SAY_CANCEL) in text
    assert "Annuleren" not in text  # the button is a word here


def test_a_checklist_shows_its_ticks_and_what_is_chosen() -> None:
    chat = Chat()
    chat("2", "1", RoutedPostcode("4531", TERNEUZEN), "3")
    text = render(chat.prompt)
    assert "1. Gordijnen steeds dicht\n" in text and "✅" not in text and "▫" not in text
    assert messages.TYPE_NUMBERS in text and "Nu gekozen" not in text and "'klaar'" not in text
    assert chat("Post stapelt").status is Status.UPDATED
    chat("zegt zich")
    text = render(chat.prompt)
    assert "2. ✅ Post stapelt zich op\n" in text and "6. ✅ Zegt zich eenzaam te voelen\n" in text
    assert "Nu gekozen: Post stapelt zich op, Zegt zich eenzaam te voelen." in text
    assert f"{messages.SAY_DONE}, of {messages.SAY_CANCEL}" in text


def test_a_typed_question_has_no_numbers_only_its_words() -> None:
    chat = Chat()
    chat("2", "1", RoutedPostcode("4531", TERNEUZEN), "3", "1", "1", "1", "5")
    assert chat.at == "description"
    text = render(chat.prompt)
    assert not re.search(r"^\d+\.", text, re.MULTILINE)
    assert text.endswith(messages.OR_TYPE.format(
        words=f"{messages.SAY_SKIP}, of {messages.SAY_CANCEL}"))


def test_the_summary_numbers_its_groups_for_wijzig() -> None:
    chat = Chat()
    to_summary(chat)
    assert [b.input for b in chat.prompt.edit_groups] == [
        EditGroup(group) for group, _ in QUESTIONNAIRE.groups]
    text = render(chat.prompt)
    assert "&lt;altijd&gt;" in text  # the summary as the engine escaped it
    assert "\n\nwijzig 1 · Wie u bent\nwijzig 2 · Adres\n" in text
    assert f"wijzig {GROUPS} · Contact met u\n\n{messages.SUMMARY_COMMANDS}" in text
    telegram = TELEGRAM.prompt(chat.result.draft)  # the same prompt: Telegram ignores the groups
    assert telegram.edit_groups == chat.prompt.edit_groups and telegram.rows == chat.prompt.rows


def test_the_edit_menu_and_stop_question_are_numbered() -> None:
    chat = Chat()
    to_summary(chat)
    chat("wijzig")
    assert chat.at == MENU
    assert f"{GROUPS + 1}. ↩️ Terug naar het overzicht" in render(chat.prompt)
    chat("terug", "annuleer")
    assert chat.at == CONFIRM_CANCEL
    assert "1. Ja, stoppen\n2. Nee, verder" in render(chat.prompt)


def test_labels_are_escaped() -> None:
    prompt = Prompt("q", "<b>Vraag</b>", ((Button("<a> & b", Choose("q", "a")),),))
    assert "1. &lt;a&gt; &amp; b" in render(prompt)
    assert read(prompt, "<a> & b") == Choose("q", "a")


# -- read


def test_a_number_a_label_or_its_start_picks_a_choice() -> None:
    chat = Chat()
    chat("2")
    prompt = chat.prompt
    assert read(prompt, "8") == read(prompt, " 8. ") == Choose("role", "buurt")
    assert read(prompt, "buurtgenoot") == read(prompt, "Buurt") == Choose("role", "buurt")
    assert read(prompt, "SUPER") == Choose("role", "winkel")
    assert read(prompt, "annuleer") == read(prompt, "Annuleren") == Cancel()
    assert read(Chat().prompt, "ja") == Choose("danger", "ja")  # a whole first word
    for line in ("0", "10", "1 2", "s", "onzin", ""):
        assert isinstance(read(prompt, line), Refusal), line
    assert read(prompt, "10") == Refusal(
        f"{messages.NOT_LISTED.format(number=10)} {messages.NUMBER_RANGE.format(high=9)}")
    assert read(prompt, "9" * 40) == Refusal(
        f"{messages.NOT_LISTED.format(number='999999…')} {messages.NUMBER_RANGE.format(high=9)}")


def test_an_ambiguous_start_is_refused_with_the_numbers() -> None:
    chat = Chat()
    chat("2", "1", RoutedPostcode("4531", TERNEUZEN), "3", "1", "3")
    assert chat.at == "frequency"
    assert chat.refused("elke") == (
        f"{messages.AMBIGUOUS.format(numbers='2, 3')} {messages.TYPE_A_NUMBER}")
    assert chat("elke w").answered == "frequency"


def test_a_checklist_takes_a_list_of_numbers() -> None:
    chat = Chat()
    chat("2", "1", RoutedPostcode("4531", TERNEUZEN), "3")
    prompt = chat.prompt
    three = Select("signs", ("gordijnen", "onverzorgd", "zelfzorg"))
    for line in ("1 3 5", "1,3,5", "1, 3 en 5", "5 3 1 3"):
        assert read(prompt, line) == (three if line != "5 3 1 3" else Select(
            "signs", ("zelfzorg", "onverzorgd", "gordijnen"))), line
    assert read(prompt, "1 12") == Refusal(
        f"{messages.NOT_LISTED.format(number=12)} {messages.NUMBERS_RANGE.format(high=9)}")
    assert read(prompt, "klaar") == Refusal(messages.TYPE_NUMBERS)  # nothing ticked yet
    assert read(prompt, "Post stapelt zich op") == Toggle("signs", "post", True)


def test_a_typed_question_takes_numbers_as_its_answer() -> None:
    chat = Chat()
    chat("2", "1", RoutedPostcode("4531", TERNEUZEN))
    prompt = chat.prompt
    assert prompt.question == "house_number"
    assert read(prompt, "1") is None and read(prompt, "Ann") is None
    assert read(prompt, "annuleer") == read(prompt, "ANNULEREN") == Cancel()
    chat("3", "1", "1", "1", "5")
    assert read(chat.prompt, "overslaan") == Skip("description")


def test_the_summary_reads_its_commands() -> None:
    chat = Chat()
    to_summary(chat)
    prompt = chat.prompt
    assert read(prompt, "verstuur") == read(prompt, "Versturen") == Choose("summary", "send")
    assert read(prompt, "annuleer") == Choose("summary", "cancel")
    assert read(prompt, "wijzig") == read(prompt, "wijzigen") == Choose("summary", "edit")
    assert read(prompt, "wijzig 3") == read(prompt, "Wijzigen 3") == EditGroup("signalen")
    assert read(prompt, "wijzig3") == read(prompt, "wijzig wat u opv") == EditGroup("signalen")
    assert read(prompt, "adres") == EditGroup("adres")
    assert read(prompt, "wijzig 9") == Refusal(
        f"{messages.NOT_LISTED.format(number=9)} {messages.EDIT_RANGE.format(high=GROUPS)}")
    assert read(prompt, "3") == read(prompt, "hallo") == Refusal(messages.SUMMARY_COMMANDS)
    assert read(prompt, "wijzig wat u") == Refusal(
        f"{messages.AMBIGUOUS.format(numbers='3, 5')} {messages.TYPE_A_NUMBER}")


# -- through the engine


def test_a_whole_signal_in_typed_lines() -> None:
    chat = Chat()
    chat("2", "Kapper", RoutedPostcode("4531 AB", TERNEUZEN), "12a")  # the intake routes
    assert chat("gordijnen").status is Status.UPDATED
    chat("post")
    assert "Nu gekozen: Gordijnen steeds dicht, Post stapelt zich op." in render(chat.prompt)
    assert chat("klaar").ack == "Gordijnen steeds dicht, Post stapelt zich op"
    chat("3", "Elke week")
    assert chat.refused("2 5") == messages.EXCLUSIVE_ALONE.format(option="Nog niets")
    assert chat("5").ack == "Nog niets"
    chat("Hij zit <altijd> binnen", "weet ik niet", "1", "Jan", "06-12345678")
    assert chat.at == "summary"
    assert chat.refused("wijzig 9").endswith(messages.EDIT_RANGE.format(high=GROUPS))
    chat("wijzig 3")
    assert chat.at == "signs" and chat.result.draft.editing == "signalen"
    assert "Nu gekozen: Gordijnen steeds dicht, Post stapelt zich op." in render(chat.prompt)
    chat("1 7")
    assert chat.at == "summary"
    assert chat("verstuur").status is Status.SUBMIT
    answers = chat.result.draft.answers
    assert answers["signs"] == ["gordijnen", "bezoek"] and answers["actions"] == ["niets"]
    assert answers["frequency"] == "wekelijks" and answers["person_knows"] == "onbekend"


def test_a_stale_edit_group_at_the_summary_changes_nothing() -> None:
    chat = Chat()
    to_summary(chat)
    before = chat.result.draft
    assert chat(EditGroup("nope")).status is Status.STALE and chat.result.draft == before
    assert chat(EditGroup("")).status is Status.STALE  # "back to the summary" is a menu button
    assert TELEGRAM.step(before, EditGroup("adres")).prompt.question == "postcode"


def test_an_empty_or_unknown_selection_is_refused() -> None:
    chat = Chat()
    chat("2", "1", RoutedPostcode("4531", TERNEUZEN), "3")
    assert chat(Select("signs", ())).notice == messages.SELECT_AT_LEAST_ONE
    assert chat(Select("signs", ("bogus",))).status is Status.STALE
    assert chat(Select("since", ("kort",))).status is Status.STALE  # not this question


def test_cancel_and_the_stop_question_in_words() -> None:
    chat = Chat()
    chat("2")
    chat("annuleer")
    assert chat.at == CONFIRM_CANCEL
    chat.refused("3")
    assert chat("nee").ack == "Nee, verder" and chat.at == "role"
    chat("annuleer")
    assert chat("1").status is Status.ENDED


def test_telegram_still_reads_labels_only() -> None:
    result = TELEGRAM.step(TELEGRAM.start("tok").draft, Text("2"))
    assert result.status is Status.INVALID and result.notice == messages.PICK_A_BUTTON
    assert TELEGRAM.step(result.draft, Text("Nee")).answered == "danger"


# -- every prompt of the real questionnaire


def _moves(draft: Any, prompt: Prompt) -> list[Input]:
    moves: list[Input] = [b.input for b in (*prompt.buttons(), *prompt.edit_groups)]
    question = ENGINE.current(draft)
    kind = question.kind if question and not draft.cancelling else None
    typed = {Kind.POSTCODE: RoutedPostcode("4531 AB", TERNEUZEN), Kind.HOUSE_NUMBER: Text("7"),
             Kind.TEXT: Text("Iets"), Kind.PHONE: Text("0612345678")}
    if kind in typed:
        moves += [typed[kind]] * 4
    if kind is Kind.MULTI and question is not None:
        moves += [Select(question.id, (o.value,)) for o in question.options if not o.exclusive]
    return [m for m in moves if m != Choose("summary", "send")]


def _check(prompt: Prompt) -> None:
    text = render(prompt)
    if prompt.typed:
        assert not re.search(r"^\d+\. ", text, re.MULTILINE)
        assert read(prompt, "1") is None and read(prompt, "99") is None
    elif prompt.edit_groups:
        shown = re.findall(r"^wijzig (\d+) · (.*)$", text, re.MULTILINE)
        assert [(int(n), html.unescape(label)) for n, label in shown] == [
            (n, b.label) for n, b in enumerate(prompt.edit_groups, 1)]
        for number, button in enumerate(prompt.edit_groups, 1):
            assert read(prompt, f"wijzig {number}") == button.input
        for number in (0, len(prompt.edit_groups) + 1):
            assert isinstance(read(prompt, f"wijzig {number}"), Refusal)
        assert isinstance(read(prompt, "1"), Refusal)
    else:
        choices = [b for b in prompt.buttons() if isinstance(b.input, Choose | Toggle | EditGroup)]
        shown = re.findall(r"^(\d+)\. (?:✅ )?(.*)$", text, re.MULTILINE)
        assert [int(n) for n, _ in shown] == list(range(1, len(choices) + 1))
        for (number, label), button in zip(shown, choices, strict=True):
            assert html.unescape(label) in button.label
            expected = (Select(prompt.question, (button.input.value,))
                        if isinstance(button.input, Toggle) else button.input)
            assert read(prompt, number) == expected
        for number in (0, len(choices) + 1, len(choices) + 10):
            assert isinstance(read(prompt, str(number)), Refusal)
            assert isinstance(read(prompt, f"1 {number}"), Refusal)
    for button in (*prompt.buttons(), *prompt.edit_groups):
        if not (isinstance(button.input, Done) and "Nu gekozen" not in text):
            assert read(prompt, button.label) == button.input, button


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), prefill=st.sampled_from([None, {"remembered_role": "zorg"}]))
def test_every_number_and_label_reads_back(data: st.DataObject,
                                           prefill: dict[str, str] | None) -> None:
    result = ENGINE.start("tok", prefill)
    for _ in range(data.draw(st.integers(0, 40))):
        assert result.prompt is not None
        _check(result.prompt)
        step = ENGINE.step(result.draft, data.draw(st.sampled_from(
            _moves(result.draft, result.prompt))))
        if step.prompt is None:  # stopped
            return
        result = step
    assert result.prompt is not None
    _check(result.prompt)
    assert isinstance(numbered.read(result.prompt, "zzz qqq"), Refusal | type(None))
