"""Typed staff commands: every staff button's line reads back as that button; typing is lenient
on case and leading zeros, strict on what is no command."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.core import messages
from bot.core.buttons import StaffAction, StaffButton, unpack
from bot.core.cards import card_buttons, choices, staff_button
from bot.core.sociale_kaart import activity_key
from bot.core.staff_commands import (
    Help,
    ListSignals,
    OnSignal,
    command,
    lines,
    parse,
    reference,
)
from bot.core.workflow import OUTCOMES, REFERRALS, STATUSES, State
from storage.models import Signal


def producible(signal_id: int, staff_ids: list[int]) -> list[tuple[str, str]]:
    """Every staff button the cards and the staff service can show, as (label, data)."""
    buttons = [button for state in State for kind in ("signaal", "zelfmelding", "vrijwilliger")
               for row in card_buttons(Signal(id=signal_id, status=state, kind=kind))
               for button in row]
    for action, options in ((StaffAction.SET_STATUS, STATUSES),
                            (StaffAction.SET_REFERRAL, REFERRALS),
                            (StaffAction.CONFIRM_CLOSE, OUTCOMES),
                            (StaffAction.ASSIGN_TO, {str(i): f"Naam {i}" for i in staff_ids})):
        buttons += [button for row in choices(action, signal_id, options) for button in row]
    buttons += [staff_button(messages.BTN_CONFIRM_CLOSE, StaffAction.CLOSE, signal_id, code)
                for code in OUTCOMES]
    buttons += [staff_button(label, action, signal_id) for label, action in (
        (messages.BTN_BACK, StaffAction.CLOSE_MENU), (messages.BTN_NOTE, StaffAction.NOTE))]
    buttons += [staff_button(f"1. {name}", action, signal_id, activity_key(name))
                for action in (StaffAction.SUGGEST, StaffAction.LINK)
                for name in ("Koffie-ochtend", "Koor <De Lijster>")]
    buttons.append(staff_button(messages.BTN_CLOSE_LINKED, StaffAction.CONFIRM_CLOSE, signal_id,
                                "gekoppeld"))
    return buttons


REFERENCES = st.builds(lambda year, number: f"SP-{year}-{number:06d}",
                       st.integers(2000, 2999), st.integers(1, 10**12 - 1))


@given(signal_id=st.integers(1, 2**63 - 1), ref=REFERENCES,
       staff_ids=st.lists(st.integers(1, 2**63 - 1), min_size=1, max_size=5), data=st.data())
def test_every_button_s_line_reads_back_as_that_button(
        signal_id: int, ref: str, staff_ids: list[int], data: st.DataObject) -> None:
    label, packed = data.draw(st.sampled_from(producible(signal_id, staff_ids)))
    button = unpack(packed)
    assert isinstance(button, StaffButton)
    [line] = lines((((label, packed),),), ref)
    assert line.startswith(command(button, ref) + " — ")
    expected = OnSignal(button.action, ref, button.arg)
    assert parse(line) == expected  # the whole line, label and all
    assert parse(command(button, ref)) == expected
    assert parse(command(button, ref).upper()) == expected  # any case
    assert parse(f"  {command(button, ref)}  ") == expected


def test_a_line_is_the_verb_the_reference_and_the_label_without_its_emoji() -> None:
    ref = "SP-2026-000123"
    [claim, assign, ask, details] = lines(card_buttons(Signal(id=7, status=State.NEW)), ref)
    assert claim == "oppakken SP-2026-000123 — Oppakken"
    assert assign == "toewijzen SP-2026-000123 — Toewijzen"
    assert ask == "vraag SP-2026-000123 — Vraag aan melder"
    assert details == "details SP-2026-000123 — Details"
    close = staff_button(messages.BTN_CONFIRM_CLOSE, StaffAction.CLOSE, 7, "geen_zorgen")
    assert lines(((close,),), ref) == ["afronden SP-2026-000123 geen_zorgen ja — Ja, afronden"]
    named = staff_button("<Ahmed & co>", StaffAction.ASSIGN_TO, 7, "42")
    assert lines(((named,),), ref) == ["toewijzen SP-2026-000123 42 — &lt;Ahmed &amp; co&gt;"]


def test_lines_about_several_signals_take_each_reference_and_skip_other_buttons() -> None:
    buttons = ((staff_button("SP-2026-000001", StaffAction.DETAILS, 1),),
               (staff_button("SP-2026-000002", StaffAction.DETAILS, 2),),
               (staff_button("SP-2026-000003", StaffAction.DETAILS, 3),),
               (("Ik wil geen vragen meer", "m|decline|5"), ("kapot", "w|nope|1|")))
    assert lines(buttons, {1: "SP-2026-000001", 2: "SP-2026-000002"}) == [
        "details SP-2026-000001 — SP-2026-000001", "details SP-2026-000002 — SP-2026-000002"]


def test_references_are_read_in_any_case_and_with_or_without_leading_zeros() -> None:
    assert reference("sp-2026-123") == "SP-2026-000123"
    assert reference("SP-2026-0000123") == "SP-2026-000123"
    assert reference("SP-2026-1234567") == "SP-2026-1234567"
    for wrong in ("SP-26-000123", "SP2026000123", "SP-2026-", "SP-2026-12a", "XP-2026-000123",
                  "SP-2026-0001234567890123"):
        assert reference(wrong) is None, wrong
    assert parse("Oppakken sp-2026-123") == OnSignal(StaffAction.CLAIM, "SP-2026-000123")


def test_notes_and_questions_take_their_text_in_the_same_line() -> None:
    ref = "SP-2026-000123"
    assert parse(f"notitie {ref} Buurvrouw belt morgen.\nTweede regel") == OnSignal(
        StaffAction.NOTE, ref, text="Buurvrouw belt morgen.\nTweede regel")
    assert parse(f"VRAAG {ref}   Hoe gaat het nu met haar?") == OnSignal(
        StaffAction.ASK, ref, text="Hoe gaat het nu met haar?")
    assert parse(f"vraag {ref}") == OnSignal(StaffAction.ASK, ref)
    assert parse(f"notitie {ref} — Notitie toevoegen") == OnSignal(StaffAction.NOTE, ref)


def test_a_code_that_is_none_shows_the_choices() -> None:
    ref = "SP-2026-000123"
    assert parse(f"status {ref} bezig") == OnSignal(StaffAction.STATUS_MENU, ref)
    assert parse(f"status {ref} Doorverwezen wijkteam") == OnSignal(
        StaffAction.SET_REFERRAL, ref, "wijkteam")
    assert parse(f"verwijzing {ref} tandarts") == OnSignal(
        StaffAction.SET_STATUS, ref, "doorverwezen")
    assert parse(f"afronden {ref} klaar") == OnSignal(StaffAction.CLOSE_MENU, ref)
    assert parse(f"afronden {ref} geen-zorgen") == OnSignal(
        StaffAction.CONFIRM_CLOSE, ref, "geen_zorgen")
    assert parse(f"afronden {ref} geen_zorgen misschien") == OnSignal(
        StaffAction.CONFIRM_CLOSE, ref, "geen_zorgen")
    assert parse(f"toewijzen {ref} Anne Marie") == OnSignal(
        StaffAction.ASSIGN_TO, ref, "Anne Marie")


def test_lists_and_help_are_one_word() -> None:
    assert parse("open") == ListSignals(mine=False)
    assert parse("/Mijn") == ListSignals(mine=True)
    assert parse(" hulp ") == Help()
    for chat in ("open deur bij de buren", "", "   ", "oppakken", "oppakken SP-2026",
                 "vraag of ze terugbelt", "hallo SP-2026-000123", "signaal SP-2026-000123"):
        assert parse(chat) is None, chat


def test_every_command_in_the_help_is_one() -> None:
    examples = [line.split(" · ")[0].split(" [")[0].replace("SP-…", "SP-2026-000123")
                for line in messages.COMMAND_HELP.splitlines()[1:]]
    assert all(parse(example) is not None for example in examples), examples
