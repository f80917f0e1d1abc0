"""One person's updates with N workers: applied one at a time, in order, a late one not at all.

On SQLite and PostgreSQL: two ``Services`` on one database stand for two workers.
"""

from __future__ import annotations

import asyncio

from bot.core.inputs import Choose, Text
from bot.core.intake import ConversationKey
from bot.core.prompts import Capabilities, Status
from bot.services import Services, open_services
from bot.settings import Settings
from tests.helpers.senders import RecordingSender

# Telegram's update ids grow with each update.
TELEGRAM = Capabilities(share_contact=True, ordered_ids=True)


async def test_an_update_overtaken_by_a_later_one_is_not_applied(services: Services) -> None:
    """At the postcode, "12a" (update 13) arrives before "4531 ab" (update 12): the late
    postcode does not answer the question the person is at, nor is it stored."""
    intake, key = services.intake, ConversationKey("telegram", "61", TELEGRAM)
    token = (await intake.start(key, update_id=10)).draft.token
    await intake.handle(key, Choose("danger", "nee"), token=token, update_id=11)
    await intake.handle(key, Choose("role", "buurt"), token=token, update_id=12)
    overtaking = await intake.handle(key, Text("12a"), update_id=14)
    assert overtaking.status is Status.INVALID  # no postcode
    late = await intake.handle(key, Text("4531 ab"), update_id=13)
    assert late.status is Status.STALE and late.prompt == overtaking.prompt  # shown again
    assert (await intake.handle(key, Text("4531 ab"), update_id=13)).status is Status.STALE
    draft = await intake.current_draft(key)
    assert draft is not None and "postcode" not in draft.answers
    assert (await intake.handle(key, Text("4531 ab"), update_id=15)).status is Status.NEXT
    # A channel whose ids do not tell the order (Signal's are the senders' clocks) applies it.
    other = ConversationKey("signal", "61")
    token = (await intake.start(other, update_id=20)).draft.token
    step = await intake.handle(other, Choose("danger", "nee"), token=token, update_id=19)
    assert step.status is Status.NEXT


async def test_one_persons_steps_on_two_workers_are_applied_one_at_a_time(
        services: Services, settings: Settings) -> None:
    """Two workers take steps of one person at the same moment: the draft's version lets one
    apply and the other run again on what it left. A copy of one update on both is applied
    once; two taps on one question leave one answer, never a step lost or done twice."""
    other = await open_services(settings, {"telegram": RecordingSender()})
    try:
        for person in range(70, 76):  # update ids grow across people, as on Telegram
            key, first = ConversationKey("telegram", str(person), TELEGRAM), person * 10
            token = (await services.intake.start(key, update_id=first)).draft.token
            copies = await asyncio.gather(*(
                workers.intake.handle(key, Choose("danger", "nee"), token=token,
                                      update_id=first + 1) for workers in (services, other)))
            assert sorted(r.status.value for r in copies) == ["duplicate", "next"]
            taps = await asyncio.gather(
                services.intake.handle(key, Choose("role", "kapper"), token=token,
                                       update_id=first + 2),
                other.intake.handle(key, Choose("role", "buurt"), token=token,
                                    update_id=first + 3))
            draft = await services.intake.current_draft(key)
            assert draft is not None and draft.answers["danger"] == "nee"
            assert draft.answers["role"] in ("kapper", "buurt")
            assert Status.NEXT in {r.status for r in taps}
            typed = await services.intake.handle(key, Text("4531 ab"), update_id=first + 4)
            assert typed.status is Status.NEXT  # the conversation goes on from one state
    finally:
        await other.close()
