"""Staff of the gemeenten."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.people import Person
from storage import direct
from storage.models import Staff

_staff = Staff.__table__
_STAFF_PENDING = select(_staff.c.pending).where(
    _staff.c.channel == bindparam("channel"), _staff.c.external_id == bindparam("external_id"),
    _staff.c.active.is_(True))


def _is(person: Person) -> tuple[Any, Any]:
    """SQL: the staff record is this person's."""
    return Staff.channel == person.channel, Staff.external_id == person.external_id


class StaffRepository:
    """Regisseurs and team members."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, *, staff_id: int) -> Staff | None:
        """One staff member by id."""
        return await self.session.get(Staff, staff_id)

    async def get_active(self, *, person: Person, gemeente_code: str) -> Staff | None:
        """The active staff record of this person in this gemeente, if any."""
        return await self.session.scalar(select(Staff).where(
            *_is(person), Staff.gemeente_code == gemeente_code, Staff.active.is_(True)))

    async def has_pending(self, *, person: Person) -> bool:
        """Whether this person, as staff, was asked to type a note or question."""
        rows = await direct.rows(self.session, _STAFF_PENDING, {
            "channel": person.channel, "external_id": person.external_id})
        return any(pending for (pending,) in rows)

    async def list_memberships(self, *, person: Person) -> list[Staff]:
        """Every active staff record of this person (one per gemeente)."""
        rows = await self.session.scalars(select(Staff).where(
            *_is(person), Staff.active.is_(True)).order_by(Staff.id))
        return list(rows)

    async def list_elsewhere(self, *, gemeente_code: str, channel: str) -> list[Staff]:
        """A gemeente's active staff on channels other than ``channel`` (they have no groups)."""
        rows = await self.session.scalars(select(Staff).where(
            Staff.gemeente_code == gemeente_code, Staff.active.is_(True),
            Staff.channel != channel).order_by(Staff.id))
        return list(rows)

    async def names(self, *, gemeente_code: str) -> dict[int, str]:
        """Staff id -> name, for everyone who ever was staff of the gemeente."""
        rows = await self.session.execute(
            select(Staff.id, Staff.name).where(Staff.gemeente_code == gemeente_code))
        return {staff_id: name for staff_id, name in rows}

    async def list_team(self, *, gemeente_code: str) -> list[Staff]:
        """A gemeente's active staff, regisseurs first."""
        rows = await self.session.scalars(select(Staff).where(
            Staff.gemeente_code == gemeente_code, Staff.active.is_(True))
            .order_by(Staff.role.desc(), Staff.name))
        return list(rows)

    async def add_or_activate(self, *, gemeente_code: str, person: Person, name: str,
                              role: str) -> Staff:
        """Register someone as staff of a gemeente (again, if they were removed)."""
        member = await self.session.scalar(select(Staff).where(
            Staff.gemeente_code == gemeente_code, *_is(person)))
        if member is None:
            member = Staff(gemeente_code=gemeente_code, channel=person.channel,
                           external_id=person.external_id, name=name, role=role, active=True,
                           source="invite")
            self.session.add(member)
        else:
            member.name, member.role, member.active = name, role, True
        await self.session.flush()
        return member

    async def sync(self, *, gemeente_code: str,
                   members: Sequence[tuple[Person, str, str]]) -> list[Person]:
        """Make ``(person, name, role)`` the gemeente's configured staff.

        Configured staff who are no longer listed lose access (returned); staff who joined
        through an invitation are left alone.
        """
        removed = []
        existing = {s.person: s for s in await self.session.scalars(
            select(Staff).where(Staff.gemeente_code == gemeente_code))}
        for person, name, role in members:
            member = existing.pop(person, None)
            if member is None:
                self.session.add(Staff(gemeente_code=gemeente_code, channel=person.channel,
                                       external_id=person.external_id, name=name, role=role,
                                       active=True, source="config"))
            else:
                member.name, member.role, member.active = name, role, True
                member.source = "config"
        for gone in existing.values():
            if gone.source == "config" and gone.active:
                gone.active, gone.pending = False, None
                removed.append(gone.person)
        await self.session.flush()
        return removed
