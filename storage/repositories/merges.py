"""Herindelingen: moving a gemeente's data to another code."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.crypto import Sealed
from storage.models import (
    Activity,
    AlertChat,
    DraftRow,
    GemeenteMerge,
    HouseNumberRoute,
    Invite,
    NotOnBoard,
    Organisation,
    Pc4Gemeente,
    Pc4Route,
    Pc6Route,
    Signal,
    Staff,
    sealing_context,
)


class MergeRepository:
    """The writes of a herindeling: everything of one gemeente code moves to another."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _move(self, model: type[Any], source: str, target: str, *where: Any) -> int:
        result = await self.session.execute(
            update(model).where(model.gemeente_code == source, *where)
            .values(gemeente_code=target).execution_options(synchronize_session=False))
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def get(self, *, from_code: str) -> GemeenteMerge | None:
        """The recorded merge of an old code, if any."""
        return await self.session.get(GemeenteMerge, from_code)

    async def record(self, *, source: str, target: str) -> None:
        """Remember the merge (for later imports); earlier merges into ``source`` follow it."""
        await self.session.execute(
            update(GemeenteMerge).where(GemeenteMerge.into_code == source)
            .values(into_code=target).execution_options(synchronize_session=False))
        if await self.get(from_code=source) is None:
            self.session.add(GemeenteMerge(from_code=source, into_code=target))
        await self.session.flush()

    async def move_pc4_routes(self, *, source: str, target: str) -> int:
        """Configured PC4 areas."""
        return await self._move(Pc4Route, source, target)

    async def move_imported_routing(self, *, source: str, target: str) -> int:
        """Imported PC6, house-number and PC4 rows; a PC6 no longer split becomes whole."""
        moved = await self._move(Pc6Route, source, target)
        moved += await self._move(HouseNumberRoute, source, target)
        for row in list(await self.session.scalars(
                select(Pc4Gemeente).where(Pc4Gemeente.gemeente_code == source))):
            into = await self.session.get(Pc4Gemeente, (row.dataset_id, row.pc4, target))
            if into is None:
                self.session.add(Pc4Gemeente(dataset_id=row.dataset_id, pc4=row.pc4,
                                             gemeente_code=target, addresses=row.addresses))
            else:
                into.addresses += row.addresses
            await self.session.delete(row)
            moved += 1
        await self.session.flush()
        whole = await self.session.execute(
            select(HouseNumberRoute.dataset_id, HouseNumberRoute.pc6)
            .group_by(HouseNumberRoute.dataset_id, HouseNumberRoute.pc6)
            .having(func.min(HouseNumberRoute.gemeente_code) == target,
                    func.max(HouseNumberRoute.gemeente_code) == target))
        for dataset_id, pc6 in whole.all():
            await self.session.execute(
                update(Pc6Route).where(Pc6Route.dataset_id == dataset_id, Pc6Route.pc6 == pc6)
                .values(gemeente_code=target).execution_options(synchronize_session=False))
            await self.session.execute(delete(HouseNumberRoute).where(
                HouseNumberRoute.dataset_id == dataset_id, HouseNumberRoute.pc6 == pc6))
        return moved

    async def move_alert_chats(self, *, source: str, target: str) -> int:
        """Alert chats; a chat both gemeenten have is kept once."""
        have = select(AlertChat.chat_id).where(AlertChat.gemeente_code == target)
        await self.session.execute(delete(AlertChat).where(
            AlertChat.gemeente_code == source, AlertChat.chat_id.in_(have)))
        return await self._move(AlertChat, source, target)

    async def move_staff(self, *, source: str, target: str) -> tuple[int, list[Staff]]:
        """Staff; returns how many moved and the old records of people already in ``target``.

        Someone in both keeps the target record (active, with the old role, when only the old
        record was active) and takes the signals the old record owned; the old record is
        deactivated.
        """
        existing = {s.person: s for s in await self.session.scalars(
            select(Staff).where(Staff.gemeente_code == target))}
        moved, joined = 0, []
        for member in list(await self.session.scalars(
                select(Staff).where(Staff.gemeente_code == source).order_by(Staff.id))):
            kept = existing.get(member.person)
            if kept is None:
                member.gemeente_code = target
                moved += 1
                continue
            owned = await self.session.execute(
                update(Signal).where(Signal.owner_id == member.id).values(owner_id=kept.id)
                .execution_options(synchronize_session=False))
            if member.active or owned.rowcount:  # type: ignore[attr-defined]
                if member.active and not kept.active:  # the old record was the live one
                    kept.active, kept.role = True, member.role
                member.active, member.pending = False, None
                joined.append(member)
        await self.session.flush()
        return moved, joined

    async def move_signals(self, *, source: str, target: str) -> tuple[int, int]:
        """Every signal: ``(open, closed)`` moved."""
        opened = await self._move(Signal, source, target, Signal.status != "closed")
        return opened, await self._move(Signal, source, target)

    async def move_not_on_board(self, *, source: str, target: str) -> int:
        """The anonymous counts of signals from the time the gemeente was not on board."""
        return await self._move(NotOnBoard, source, target)

    async def move_organisations(self, *, source: str, target: str, now: datetime) -> int:
        """Signaler organisations and unused, unexpired staff invitations."""
        moved = await self._move(Organisation, source, target)
        return moved + await self._move(Invite, source, target, Invite.used_at.is_(None),
                                        Invite.expires_at > now)

    async def move_activities(self, *, source: str, target: str) -> int:
        """The sociale kaart; an activity whose name the target has already stays behind."""
        taken = {name.casefold() for name in await self.session.scalars(
            select(Activity.name).where(Activity.gemeente_code == target))}
        ids = [row.id for row in await self.session.execute(
            select(Activity.id, Activity.name).where(Activity.gemeente_code == source))
            if row.name.casefold() not in taken]
        return await self._move(Activity, source, target, Activity.id.in_(ids)) if ids else 0

    async def move_drafts(self, *, source: str, target: str, target_name: str) -> int:
        """Conversations in progress routed to ``source``.

        Each rewrite checks the draft's version (and bumps it), so a step taken at the same
        time either sees the rewritten draft or makes this pass read the draft again.
        """
        moved = 0
        for _ in range(3):
            conflicts = 0
            for draft in list(await self.session.scalars(
                    select(DraftRow).execution_options(populate_existing=True))):
                answers = dict(draft.state.get("answers") or {})
                if answers.get("gemeente") != source:
                    continue
                answers.update(gemeente=target, gemeente_name=target_name)
                result = await self.session.execute(
                    update(DraftRow)
                    .where(DraftRow.id == draft.id, DraftRow.version == draft.version)
                    .values(state=Sealed({**draft.state, "answers": answers},
                                         sealing_context(DraftRow, "state", draft)),
                            version=draft.version + 1)
                    .execution_options(synchronize_session=False))
                changed = int(result.rowcount)  # type: ignore[attr-defined]
                moved, conflicts = moved + changed, conflicts + 1 - changed
            if not conflicts:
                break
        return moved
