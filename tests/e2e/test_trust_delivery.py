"""Delivery under faults: lost replies come back, no alert is doubled, moved groups are followed.

Each test injects what Telegram or the network really does (a 5xx, a lost answer, a 403, a
group upgraded to a supergroup) through the Bot API stand-in, and checks what people see.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update

from storage.models import BlockedChat, Outbox, Signal, utcnow
from tests.harness import BotRunner, Person, claim_and_close, eventually, file_signal
from tests.helpers.staff import BACKUP, GROUP, REGISSEUR
from tests.helpers.stored import outbox_settled

SUPERGROUP = -1001234567890


def alerts_of(api: Any, chat: int, reference: str) -> int:
    """How many alerts of a signal a chat shows."""
    return sum(f"Nieuw signaal {reference}" in m.get("text", "") for m in api.messages(chat))


async def the_signal(runner: BotRunner) -> Signal:
    async with runner.services.uow() as uow:
        [signal] = list(await uow.session.scalars(select(Signal)))
        return signal


async def test_a_reply_that_never_arrived_comes_back_when_the_button_is_pressed_again(
        api: Any, runner: BotRunner) -> None:
    person = Person(runner, 901)
    await person.command("start")
    await person.tap("Nee")
    api.fail_next("editMessageText", 500, count=20, chat_id=person.id)  # Telegram is down
    message, kapper = person.button("Kapper")
    await runner.processed(api.press(person.id, message, kapper))  # stored; the reply is lost
    assert "Wie bent u" in person.last
    api._faults.clear()
    await runner.processed(api.press(person.id, message, kapper))  # the person tries again
    assert "postcode" in person.last  # the question they are at now, in that message
    assert "al ontvangen" in person.toast()


async def test_a_redelivered_press_shows_where_the_conversation_stands(
        api: Any, runner: BotRunner) -> None:
    person = Person(runner, 902)
    await person.command("start")
    api.fail_next("editMessageText", 500, count=20, chat_id=person.id)
    message, no = person.button("Nee")
    press = api.press(person.id, message, no)
    await runner.processed(press)
    assert "direct gevaar" in person.last
    api._faults.clear()
    await runner.redelivered(press)  # the bot restarted before Telegram saw the offset
    assert "Wie bent u" in person.last


async def test_a_lost_thank_you_still_gives_the_reference(api: Any, runner: BotRunner) -> None:
    person = Person(runner, 903)
    real_tap = person.tap

    async def tap_send_while_telegram_is_down(*labels: str, chat: int | None = None) -> None:
        if labels == ("Versturen",):
            api.fail_next("editMessageText", 500, count=20, chat_id=person.id)
        await real_tap(*labels, chat=chat)

    person.tap = tap_send_while_telegram_is_down  # type: ignore[method-assign]
    await file_signal(person)
    assert "Klopt dit?" in person.last  # filed, but the person never saw the reference
    api._faults.clear()
    await real_tap("Versturen")
    reference = (await the_signal(runner)).reference
    assert reference is not None and reference in person.last


async def test_a_lost_answer_from_telegram_is_tried_again(api: Any, runner: BotRunner) -> None:
    person = Person(runner, 904)
    await person.command("start")
    api.lose_answer_next("editMessageText", chat_id=person.id, status=502)
    await person.tap("Nee")  # Telegram took the edit, but answered 502: no error, no gap
    assert "Wie bent u" in person.last
    await person.tap("Kapper")
    assert "postcode" in person.last


async def test_a_closed_signal_is_never_alerted_again(api: Any, runner: BotRunner) -> None:
    api.fail_next("sendMessage", 500, count=1000, chat_id=GROUP)  # the group's alert waits
    await file_signal(Person(runner, 905))
    await api.wait_for(lambda: bool(api.messages(REGISSEUR)))
    carine = Person(runner, REGISSEUR)
    await claim_and_close(carine, REGISSEUR)
    api._faults.clear()
    api.block_chat(GROUP)  # its alert, still waiting, now meets a 403
    async with runner.services.uow() as uow:
        await uow.session.execute(update(Outbox).values(next_attempt_at=utcnow()))
        await uow.commit()
    runner.services.dispatcher.kick()
    await outbox_settled(runner)
    reference = (await the_signal(runner)).reference
    assert alerts_of(api, BACKUP, reference) == 0 and alerts_of(api, REGISSEUR, reference) == 1
    assert alerts_of(api, GROUP, reference) == 0


async def test_every_chat_shows_one_alert_per_signal_through_failures_and_a_restart(
        api: Any, runner: BotRunner) -> None:
    api.fail_next("sendMessage", 500, count=3, chat_id=GROUP)
    api.block_chat(REGISSEUR)
    await file_signal(Person(runner, 906))
    await runner.stop()  # the bot goes down while sends fail
    await runner.start()
    reference = (await the_signal(runner)).reference
    await api.wait_for(lambda: alerts_of(api, GROUP, reference) == 1, timeout=15)
    await outbox_settled(runner)
    for chat in (GROUP, REGISSEUR, BACKUP):
        assert alerts_of(api, chat, reference) == (chat == GROUP)
    async with runner.services.uow() as uow:
        live = await uow.session.execute(
            select(Outbox.chat_id, func.count()).where(Outbox.kind == "alert",
                                                       Outbox.failed_at.is_(None))
            .group_by(Outbox.chat_id))
        assert dict(live.all()) == {GROUP: 1}


async def test_an_unreachable_chat_is_tried_again_when_it_comes_back(
        api: Any, runner: BotRunner) -> None:
    api.block_chat(REGISSEUR)
    api.block_chat(GROUP)
    await file_signal(Person(runner, 907))
    await api.wait_for(lambda: bool(api.messages(BACKUP)))  # nobody on the team: a notice

    async def blocked() -> bool:
        async with runner.services.uow() as uow:
            return len(await uow.blocks.all()) == 2

    await eventually(blocked)
    api.unblock_chat(REGISSEUR)
    await Person(runner, REGISSEUR).command("start")  # she unblocked the bot and wrote to it
    api.unblock_chat(GROUP)
    bot = {"id": int(api.token.split(":")[0]), "is_bot": True, "first_name": "Signaalbot"}
    await runner.processed(api.push_raw({"my_chat_member": {  # the bot added to the group again
        "chat": {"id": GROUP, "type": "group", "title": "Team Terneuzen"},
        "from": {"id": REGISSEUR, "is_bot": False, "first_name": "Carine"},
        "date": int(time.time()), "old_chat_member": {"user": bot, "status": "left"},
        "new_chat_member": {"user": bot, "status": "member"}}}))
    second = Person(runner, 908)
    await file_signal(second)
    async with runner.services.uow() as uow:
        references = list(await uow.session.scalars(select(Signal.reference).order_by(Signal.id)))
    for chat in (REGISSEUR, GROUP):
        await api.wait_for(lambda chat=chat: alerts_of(api, chat, references[1]) == 1)


async def test_a_blocked_chat_is_tried_again_after_a_while(api: Any, runner: BotRunner) -> None:
    api.block_chat(GROUP)
    await file_signal(Person(runner, 909))

    async def blocked() -> bool:
        async with runner.services.uow() as uow:
            return GROUP in await uow.blocks.all()

    await eventually(blocked)
    async with runner.services.uow() as uow:
        assert await uow.gemeenten.list_alert_chats(code="GM0715") == [REGISSEUR]
        assert GROUP in await uow.gemeenten.list_alert_chats(
            code="GM0715", now=utcnow() + timedelta(hours=2))  # the backoff is over
        await uow.session.execute(update(BlockedChat).values(retry_at=utcnow()))
        await uow.commit()
    api.unblock_chat(GROUP)
    await file_signal(Person(runner, 910))
    await api.wait_for(lambda: sum("Nieuw signaal" in m.get("text", "")
                                   for m in api.messages(GROUP)) == 1)


async def test_a_group_upgraded_to_a_supergroup_is_followed(api: Any, runner: BotRunner) -> None:
    api.upgrade_group(GROUP, SUPERGROUP)
    await file_signal(Person(runner, 911))
    reference = (await the_signal(runner)).reference
    await api.wait_for(lambda: alerts_of(api, SUPERGROUP, reference) == 1)
    async with runner.services.uow() as uow:
        assert await uow.gemeenten.list_alert_chats(code="GM0715") == [REGISSEUR, SUPERGROUP]
    await outbox_settled(runner)
    assert api.messages(BACKUP) == []  # nothing was re-routed: the group was there all along
    await Person(runner, REGISSEUR).tap("Oppakken", chat=SUPERGROUP)
    await api.wait_for(lambda: "Carine" in api.messages(SUPERGROUP)[-1]["text"])


async def test_an_unknown_refusal_is_tried_once_more(api: Any, runner: BotRunner) -> None:
    api.fail_next("sendMessage", 400, chat_id=REGISSEUR,
                  description="Bad Request: something Telegram has not said before")
    await file_signal(Person(runner, 912))
    await api.wait_for(lambda: bool(api.messages(REGISSEUR)), timeout=10)
