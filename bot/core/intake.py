"""The intake use case: load a person's draft, step the engine, store the result.

Every step is one transaction. A filed signal, its alerts (outbox rows) and the end of the
draft commit together; the caller then wakes the outbox dispatcher.

With N workers (webhook mode) two updates of one person may reach different workers at once.
The draft row is their lock, optimistically: a step's last write is guarded by the draft's
version, so of two steps that read the same version one is applied and the other runs again
on what the first left (``ConcurrentUpdate``, ``_retrying``): one person's updates are
applied one at a time, whatever worker has them. (A PostgreSQL advisory lock on the person
did the same at three more round trips per step, begin, lock and commit: 15 % more CPU per
update, measured with ``benchmarks/workers.py``.) An update delivered again is applied once
(``Status.DUPLICATE``: where the conversation stands is shown again). On a channel whose
update ids grow with each update (Telegram), an update that arrives after a later one of the
same person took effect is not applied either (``Status.STALE``: the person is shown where
they are): typed text meant for an earlier question must not answer the current one.

A finished conversation (filed, cancelled, stopped) leaves its draft as an end marker for a
day: the final notice and the token of its buttons, nothing the person answered. So a reply
that never arrived is not lost: a button of that conversation pressed again, or its update
delivered again, shows the final notice (the reference of the signal) once more.
"""

from __future__ import annotations

import html
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from bot.core import messages, suggestions, vraagjes
from bot.core.alerts import Alerts
from bot.core.clock import utcnow
from bot.core.draft import Draft
from bot.core.engine import Engine
from bot.core.inputs import Cancel, Choose, Input, RoutedHouseNumber, RoutedPostcode, Text
from bot.core.kaart import KaartCache
from bot.core.language import active
from bot.core.news import offer_in
from bot.core.parsing import parse_house_number, parse_postcode
from bot.core.people import Person
from bot.core.prompts import Button, Capabilities, Prompt, Result, Status, pressed
from bot.core.questionnaire import GEMEENTE, REMEMBERED, Kind, Marker, ReportKind
from bot.core.records import ConcurrentUpdate, DraftRecord
from bot.core.routing import RouteKind, route, route_gemeente
from bot.core.texts import text_for
from bot.core.workflow import EventAction

if TYPE_CHECKING:
    from storage.models import Signal
    from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

_R = TypeVar("_R")
START = "_start"  # pseudo question of the "resume or restart?" prompt
# A step loses a race only to another step's successful write, so when k steps of one person
# race (on several workers), k attempts always suffice.
_ATTEMPTS = 5
# Besides the questions marked ``steering``: what steers the conversation, never filed.
_STEERING = (REMEMBERED, "gemeente_name", "_split", "_pc4", "_candidates", "_not_on_board")
ENDED = "ended"  # the key of an end marker's final notice in a draft's state
# ``typed``: the draft does not know it was asked, so a line that is not one of its labels
# (a number too) answers the question the person is at; a channel without buttons shows no
# numbers for it.
def resume_prompt() -> Prompt:
    """Carry on or start again, in the active language."""
    return Prompt(START, messages.WELCOME_BACK, (
        (Button(messages.RESUME, Choose(START, "resume")),),
        (Button(messages.RESTART, Choose(START, "restart")),),
    ), typed=True)


@dataclass(frozen=True)
class Ended:
    """The end marker of a finished conversation: its buttons' token and final notice."""

    token: str
    notice: str


@dataclass(frozen=True)
class ConversationKey:
    """Who is talking, on which channel (the channel's user id, as text), and what it can do."""

    channel: str
    user_id: str
    capabilities: Capabilities = Capabilities()


class IntakeService:
    """Runs signalers' conversations against the database."""

    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        engine: Engine,
        alerts: Alerts,
        *,
        draft_ttl: timedelta,
        default_advice: str,
        kaart: KaartCache,
        on_commit: Callable[[], None] = lambda: None,
    ) -> None:
        self._uow = uow
        self._kaart = kaart
        self.engine = engine
        self._alerts = alerts
        self._ttl = draft_ttl
        self._default_advice = default_advice
        self._on_commit = on_commit

    async def start(self, key: ConversationKey, *, update_id: int | None = None,
                    organisation: str | None = None) -> Result:
        """``/start``: a new conversation, or the choice to resume the one in progress.

        ``organisation`` is the code of a signaler organisation's deep link: it starts the
        signal's questionnaire (past the door) and fills in the role (and organisation), so
        the signaler skips that question.
        """
        return await self._retrying(lambda: self._start_once(key, update_id, organisation))

    async def handle(
        self, key: ConversationKey, given: Input, *, token: str | None = None,
        update_id: int | None = None,
    ) -> Result:
        """Apply one input; ``token`` is the draft token a pressed button carried.

        With ``update_id``, a redelivered copy of an update that already took effect
        returns ``Status.DUPLICATE`` and changes nothing.
        """
        result = await self._retrying(lambda: self._handle_once(key, given, token, update_id))
        assert result is not None  # only typed text for someone else gives None
        return result

    async def handle_typed(self, key: ConversationKey, text: str, *,
                           update_id: int | None = None) -> Result | None:
        """Typed text as the next answer in the person's conversation in progress.

        None, and nothing changes, when there is no conversation in progress, or when
        the person is staff who was asked to type a note or question: the text is for that.
        """
        return await self._retrying(
            lambda: self._handle_once(key, Text(text), None, update_id, typed=True))

    async def _retrying(self, step: Callable[[], Awaitable[_R]]) -> _R | Result:
        """Run a step; when another writer changed the draft meanwhile, run it again."""
        for attempt in range(_ATTEMPTS):
            try:
                return await step()
            except ConcurrentUpdate:
                log.info("draft changed concurrently; retrying (attempt %d)", attempt + 1)
        return Result(Status.STALE, Draft(token=""), notice=messages.BUSY)

    async def _start_once(self, key: ConversationKey, update_id: int | None,
                          organisation: str | None) -> Result:
        async with self._uow() as uow:
            row, draft, ended = await self._load(uow, key)
            if seen := await _arrival(uow, key, row if draft or ended else None, update_id):
                return self._current(key, draft, ended, seen)
            if draft is not None:
                return Result(Status.NEXT, draft, resume_prompt())
            org = (await uow.organisations.get_organisation(code=organisation)
                   if organisation else None)
            signal = self.engine.of_kind(ReportKind.SIGNAAL)
            if org and signal is not None and signal.role is not None:
                prefill = {signal.role.id: org.role, "organisation_id": org.id}
                flow = "" if signal is self.engine else signal.questionnaire.id
                welcome = await text_for(uow, org.gemeente_code, "welcome")
                result = await self._begin(uow, key, row, update_id, notice=welcome,
                                           prefill=prefill, flow=flow)
            else:
                result = await self._begin(uow, key, row, update_id, notice=self._welcome)
            await uow.commit()
            return result

    async def cancel(self, key: ConversationKey, *, update_id: int | None = None) -> Result:
        """``/cancel``: ask whether to stop (``NOTHING_TO_CANCEL`` without a conversation)."""
        return await self.handle(key, Cancel(), update_id=update_id)

    async def current_draft(self, key: ConversationKey) -> Draft | None:
        """The person's conversation in progress, if any."""
        async with self._uow() as uow:
            _, draft, _ = await self._load(uow, key)
            return draft

    async def current(self, key: ConversationKey) -> Result | None:
        """Where the person's conversation in progress stands (to show it again), if any."""
        draft = await self.current_draft(key)
        return None if draft is None else self._current(key, draft, None, Status.NEXT)

    # -- internals

    async def _handle_once(
        self, key: ConversationKey, given: Input, token: str | None, update_id: int | None,
        typed: bool = False,
    ) -> Result | None:
        async with self._uow() as uow:
            row, draft, ended = await self._load(uow, key)
            if typed and (
                    draft is None or await uow.staff.has_pending(
                        person=Person(key.channel, key.user_id))):
                return None
            if seen := await _arrival(uow, key, row if draft or ended else None, update_id):
                return self._current(key, draft, ended, seen)
            if draft is None:
                if isinstance(given, Cancel) and token is None:  # /cancel
                    return Result(Status.ENDED, Draft(token=""), notice=messages.NOTHING_TO_CANCEL)
                if token is not None:  # a button of a finished conversation
                    if ended is not None and ended.token == token:
                        return self._current(key, None, ended, Status.ENDED)
                    return Result(Status.STALE, Draft(token=""), notice=messages.NO_CONVERSATION)
                notice = messages.EXPIRED if row is not None and not ended else self._welcome
                result = await self._begin(uow, key, row, update_id, notice=notice)
                await uow.commit()
                return result
            assert row is not None
            engine = self.engine.on(key.capabilities)
            if token is not None and token != draft.token:
                return Result(Status.STALE, draft, engine.prompt(draft), messages.STALE_BUTTON)
            if isinstance(given, Text):  # "Verder waar ik was" typed, say
                given = pressed(resume_prompt(), given.text) or given
            if isinstance(given, Choose) and given.question == START:
                return await self._resume_or_restart(uow, key, row, draft, given.value, update_id)
            given, counted = await self._route(uow, draft, given)
            result = engine.step(draft, given)
            if result.status is Status.STALE:
                return result
            if counted:  # a typed address outside: counted once per conversation
                result = replace(result, draft=replace(result.draft, answers={
                    **result.draft.answers, "_not_on_board": True}))
            if result.status in (Status.SUBMIT, Status.ENDED):
                if result.status is Status.SUBMIT:
                    result = await self._file(uow, key, result.draft)
                state = {"token": draft.token, ENDED: result.notice or ""}  # no answers
                await self._save(uow, key, row, state, update_id)
            else:  # the step's last write (on PostgreSQL it may commit on its own)
                await self._save(uow, key, row, result.draft.to_json(), update_id)
            await uow.commit()
        if result.status is Status.SUBMIT:
            self._on_commit()
        return result

    async def _load(self, uow: UnitOfWork, key: ConversationKey
                    ) -> tuple[DraftRecord | None, Draft | None, Ended | None]:
        """The person's draft row, and the live conversation in it or its end marker."""
        row = await uow.drafts.get(channel=key.channel, external_id=key.user_id)
        if row is None or row.expires_at <= utcnow():
            return row, None, None
        if ENDED in row.state:
            return row, None, Ended(row.state["token"], row.state[ENDED])
        return row, Draft.from_json(row.state), None

    def _current(self, key: ConversationKey, draft: Draft | None, ended: Ended | None,
                 status: Status) -> Result:
        """Where the conversation stands, to show again (a reply may never have arrived)."""
        if draft is not None:
            return Result(status, draft, self.engine.on(key.capabilities).prompt(draft))
        return Result(status, Draft(token=ended.token if ended else ""),
                      notice=ended.notice if ended else None)

    async def _begin(
        self, uow: UnitOfWork, key: ConversationKey, row: DraftRecord | None,
        update_id: int | None, *, notice: str, prefill: dict[str, Any] | None = None,
        flow: str = "",
    ) -> Result:
        """A new draft; ``prefill`` (from an organisation link) or the remembered role.

        ``flow``: the questionnaire to start in, past the door.
        """
        if prefill is None:
            role = await uow.signalers.role(channel=key.channel, external_id=key.user_id)
            prefill = {REMEMBERED: role} if role else {}
        result = self.engine.on(key.capabilities).start(secrets.token_urlsafe(6), prefill,
                                                         flow=flow)
        # Over an expired draft or an end marker: its answers go, its recent updates stay.
        await self._save(uow, key, row, result.draft.to_json(), update_id)
        return replace(result, notice=notice)

    async def _save(
        self, uow: UnitOfWork, key: ConversationKey, row: DraftRecord | None,
        state: dict[str, Any], update_id: int | None,
    ) -> None:
        await uow.drafts.save(channel=key.channel, external_id=key.user_id, state=state,
                              ttl=self._ttl, expected=row, update_id=update_id)

    async def _resume_or_restart(
        self, uow: UnitOfWork, key: ConversationKey, row: DraftRecord, draft: Draft,
        choice: str, update_id: int | None,
    ) -> Result:
        if choice == "restart":
            result = await self._begin(uow, key, row, update_id, notice=self._welcome)
            await uow.commit()
            return result
        return Result(Status.NEXT, draft, self.engine.on(key.capabilities).prompt(draft),
                      ack=messages.RESUME)

    async def _route(self, uow: UnitOfWork, draft: Draft, given: Input) -> tuple[Input, bool]:
        """Give the engine routed input, and whether it was counted as not on board.

        That is a postcode (typed, or a gemeente picked for an area in several gemeenten),
        or the house number that decides a postcode split between gemeenten. An address in
        a gemeente that does not take part is counted (anonymously), once per conversation.
        """
        question = self.engine.current(draft)
        if question is None or draft.cancelling:
            return given, False
        count = not draft.answers.get("_not_on_board")
        advice = self._default_advice
        if question.kind is Kind.POSTCODE:
            picks = {code for code, _ in draft.answers.get("_candidates", ())}
            if isinstance(given, Text) and isinstance(
                    named := pressed(self.engine.prompt(draft), given.text), Choose):
                given = named  # a gemeente typed by its name (channels without buttons)
            if isinstance(given, Choose) and given.value in picks:
                postcode = str(draft.answers["_pc4"])
                result = await route_gemeente(uow, given.value, default_advice=advice)
            elif isinstance(given, Text) and (parsed := parse_postcode(given.text)):
                postcode, pc4 = parsed
                result = await route(uow, pc4=pc4, letters=postcode[5:] or None,
                                     house_number=None, default_advice=advice)
            else:
                return given, False
            outside = result.kind is RouteKind.NOT_ON_BOARD
            if outside and count:
                await uow.signals.add_not_on_board(gemeente_code=result.gemeente_code)
            return RoutedPostcode(postcode, result.to_route()), outside and count
        if question.kind is Kind.HOUSE_NUMBER and draft.answers.get("_split") and isinstance(
                given, Text) and (number := parse_house_number(given.text)):
            marked = self.engine.walking(draft).postcode
            assert marked is not None  # a house number is asked after a postcode
            postcode = str(draft.answers[marked.id])
            result = await route(uow, pc4=int(postcode[:4]), letters=postcode[5:],
                                 house_number=number, default_advice=advice)
            outside = result.kind is RouteKind.NOT_ON_BOARD
            if outside and count:
                await uow.signals.add_not_on_board(gemeente_code=result.gemeente_code)
            return RoutedHouseNumber(number, result.to_route()), outside and count
        return given, False

    async def _file(self, uow: UnitOfWork, key: ConversationKey, draft: Draft) -> Result:
        """Store the report and queue its alerts (in the transaction that drops the draft).

        A report of another kind than a signal has no role (its kind stands in its place in
        the anonymous copy) and leaves the role remembered for the person's next signal.
        """
        engine = self.engine.walking(draft)
        questionnaire = engine.questionnaire
        answers: dict[str, Any] = dict(draft.answers)
        role = None
        if engine.role is not None:
            role = answers.get(engine.role.id) or answers[REMEMBERED]
            answers[engine.role.id] = role
        gemeente_name = answers.get("gemeente_name") or answers[GEMEENTE]
        organisation_id = answers.pop("organisation_id", None)
        for steering in (*(q.id for q in questionnaire.questions if q.steering), *_STEERING):
            answers.pop(steering, None)
        signaler = await uow.signalers.get_or_add(channel=key.channel, external_id=key.user_id,
                                                  role=role, language=active())
        signs = questionnaire.find(Marker.SIGNS)
        postcode = questionnaire.marked(Marker.POSTCODE)
        gemeente = await uow.gemeenten.get(code=answers[GEMEENTE])
        assert gemeente is not None
        now = utcnow()
        signal = await uow.signals.add(
            gemeente_code=answers[GEMEENTE],
            signaler_id=signaler.id,
            questionnaire=questionnaire.id,
            kind=questionnaire.kind.value,
            role=role or questionnaire.kind.value,
            signs=list(answers[signs.id]) if signs else [],
            pc4=int(answers[postcode.id][:4]),
            choices={q.id: answers[q.id] for q in questionnaire.counted
                     if answers.get(q.id) is not None} or None,
            answers=answers,
            organisation_id=organisation_id,
            created_at=now,
            last_activity_at=now,
            due_at=now + timedelta(hours=gemeente.escalation_hours))
        await uow.events.add(signal_id=signal.id, action=EventAction.FILED, at=signal.created_at)
        await self._alerts.file(uow, signal)
        log.info("%s %s filed for %s (pc4 %s)", questionnaire.kind, signal.reference,
                 signal.gemeente_code, signal.pc4)
        assert signal.reference is not None
        if questionnaire.kind is ReportKind.SIGNAAL:
            notice = await text_for(uow, signal.gemeente_code, "thanks",
                                    reference=signal.reference, gemeente=gemeente_name)
        else:
            notice = messages.SUBMITTED_BY_KIND[questionnaire.kind].format(
                reference=signal.reference, gemeente=html.escape(gemeente_name))
        offer = await offer_in(uow, Person(key.channel, key.user_id), gemeente) if (
            key.capabilities.replies) else None
        return Result(Status.SUBMIT, draft, notice=notice,
                      after=await self._suggestions(uow, signal), news_offer=offer)

    async def _suggestions(self, uow: UnitOfWork, signal: Signal) -> str | None:
        """What the person can do next, from the kaart of the report's gemeente (public data)."""
        if signal.kind not in (ReportKind.SIGNAAL, ReportKind.ZELFMELDING):
            return None
        return suggestions.after_filing(
            signal.kind, await self._kaart.activities(uow, signal.gemeente_code), signal.pc4,
            signal.choices, vraagjes.new_seed())

    @property
    def _welcome(self) -> str:
        """The welcome of a new conversation: before the door, or the signal's own."""
        if self.engine.questionnaire.kind is ReportKind.DEUR:
            return messages.WELCOME_DOORS
        return messages.WELCOME


async def _arrival(uow: UnitOfWork, key: ConversationKey, live: DraftRecord | None,
                   update_id: int | None) -> Status | None:
    """Why this update is not applied, or None: apply it.

    ``DUPLICATE``: it took effect before (a redelivered copy). ``STALE``: on a channel with
    ordered update ids, a later update of the person took effect first (it arrived late).
    A live draft remembers its recent updates; an update older than those, or one without
    a draft, is looked up in (and added to) the record of processed updates.
    """
    if update_id is None:
        return None
    recent = live.recent_updates if live is not None else ()
    if update_id in recent:
        return Status.DUPLICATE
    if recent and key.capabilities.ordered_ids and update_id < max(recent):
        return Status.STALE
    if recent and update_id >= min(recent):
        return None
    return None if await uow.updates.record(channel=key.channel, update_id=update_id) else (
        Status.DUPLICATE)
