"""The one button codec: every button packs within Telegram's 64 bytes and decodes to itself;
anything else decodes to nothing."""

from __future__ import annotations

import pytest

from bot.core.buttons import (
    MAX_BYTES,
    AdminAction,
    AdminButton,
    Button,
    DeclineButton,
    ForgetButton,
    IntakeButton,
    KaartAction,
    KaartButton,
    StaffAction,
    StaffButton,
    VraagjeButton,
    unpack,
)
from bot.core.cards import card_buttons, choices
from bot.core.inputs import Cancel, Choose
from bot.core.workflow import OUTCOMES, REFERRALS, STATUSES, StaffRole, State
from storage.models import Signal

BIG_ID = 2**63 - 1  # the largest id a database gives out
BUTTONS: list[Button] = [
    *(StaffButton(action, BIG_ID) for action in StaffAction),
    *(StaffButton(StaffAction.SET_STATUS, BIG_ID, code) for code in STATUSES),
    *(StaffButton(StaffAction.SET_REFERRAL, BIG_ID, code) for code in REFERRALS),
    *(StaffButton(StaffAction.CLOSE, BIG_ID, code) for code in OUTCOMES),
    StaffButton(StaffAction.ASSIGN_TO, BIG_ID, str(BIG_ID)),
    *(AdminButton(action, "GM1234") for action in AdminAction),
    *(AdminButton(AdminAction.INVITE, "GM1234", role) for role in StaffRole),
    AdminButton(AdminAction.REMOVE_STAFF, "GM1234", str(-BIG_ID)),
    AdminButton(AdminAction.SET_ACTIVE, "GM1234", "0"),
    *(KaartButton(action, "GM1234", "0123456789ab") for action in KaartAction),
    DeclineButton(BIG_ID), ForgetButton(True), ForgetButton(False), VraagjeButton(9999, 21),
    IntakeButton("AbC-d_12", Choose("summary", "send")), IntakeButton("AbC-d_12", Cancel()),
]


@pytest.mark.parametrize("button", BUTTONS, ids=str)
def test_every_button_packs_within_the_limit_and_decodes_to_itself(button: Button) -> None:
    data = button.pack()
    assert len(data.encode()) <= MAX_BYTES
    assert unpack(data) == button and type(unpack(data)) is type(button)


@pytest.mark.parametrize("status", list(State))
def test_the_card_buttons_of_every_state_are_staff_buttons(status: State) -> None:
    signal = Signal(id=BIG_ID, status=status)
    rows = [*card_buttons(signal), *choices(StaffAction.CONFIRM_CLOSE, BIG_ID, OUTCOMES)]
    for _, data in (button for row in rows for button in row):
        assert isinstance(unpack(data), StaffButton)


def test_the_wire_format_of_buttons_already_in_chats_still_decodes() -> None:
    assert unpack("w|closeok|12|anders") == StaffButton(StaffAction.CLOSE, 12, "anders")
    assert unpack("w|hist|12|") == StaffButton(StaffAction.DETAILS, 12)
    assert unpack("a|inv|GM0715|team") == AdminButton(AdminAction.INVITE, "GM0715", "team")
    assert unpack("m|decline|7") == DeclineButton(7)
    assert unpack("m|forget|no") == ForgetButton(False)


@pytest.mark.parametrize("forged", [
    None, "", "garbage", "|||", "w", "w|claim|1", "w|claim|x|", "w|bogus|1|", "w|claim|-1|",
    "w|claim|1||", "a|g||", "a|bogus|GM0715|", "a|g|GM 0715|", "m|decline|x", "m|decline|",
    "m|forget|maybe", "m|other|1", "m|vraagje|1", "k|p||0", "k|x|GM0715|0", "m|vraagje|-1|2",
    "w|claim|1|a|b", "w|claim|1|" + "x" * 25, "x" * 65, "tok|c|role", "|c|role|kapper",
    "w|claim|1|<b>",
])
def test_forged_or_malformed_data_decodes_to_nothing(forged: str | None) -> None:
    assert unpack(forged) is None


@pytest.mark.parametrize("button", [StaffButton(StaffAction.NOTE, 1, "x" * 60),
                                    StaffButton(StaffAction.NOTE, 1, "a|b"),
                                    AdminButton(AdminAction.PANEL, "GM 0715")])
def test_a_button_that_does_not_fit_is_refused_when_packed(button: Button) -> None:
    with pytest.raises(ValueError, match="does not fit"):
        button.pack()
