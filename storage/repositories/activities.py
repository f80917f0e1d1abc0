"""The sociale kaart's activities, per gemeente."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.sociale_kaart import Activity, tag_list
from storage.models import Activity as ActivityRow


class ActivityRepository:
    """A gemeente's activities; a name is one activity (case-insensitively)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def list_all(self, *, code: str) -> list[Activity]:
        """The gemeente's activities, by name."""
        return [_activity(row) for row in await self._rows(code)]

    async def save(self, *, code: str, activities: Sequence[Activity], replace: bool = False
                   ) -> tuple[int, int, int]:
        """Add or update by name; with ``replace`` remove the others. (added, updated, removed)."""
        rows = {row.name.casefold(): row for row in await self._rows(code)}
        added = updated = 0
        for activity in activities:
            row = rows.pop(activity.name.casefold(), None)
            if row is None:
                row = ActivityRow(gemeente_code=code)
                self.session.add(row)
                added += 1
            else:
                updated += 1
            _fill(row, activity)
        removed = 0
        if replace and rows:
            await self.session.execute(delete(ActivityRow).where(
                ActivityRow.id.in_([row.id for row in rows.values()])))
            removed = len(rows)
        await self.session.flush()
        return added, updated, removed

    async def remove(self, *, code: str, name: str) -> Activity | None:
        """Remove the activity of that name (any case); the removed one, if there was one."""
        row = next((r for r in await self._rows(code) if r.name.casefold() == name.casefold()),
                   None)
        if row is None:
            return None
        await self.session.delete(row)
        await self.session.flush()
        return _activity(row)

    async def _rows(self, code: str) -> list[ActivityRow]:
        return list(await self.session.scalars(
            select(ActivityRow).where(ActivityRow.gemeente_code == code)
            .order_by(ActivityRow.name, ActivityRow.id)))


def _fill(row: ActivityRow, activity: Activity) -> None:
    row.name, row.what, row.pc4 = activity.name, activity.what, activity.pc4
    row.place = activity.place
    row.when, row.contact, row.tags = activity.when, activity.contact, tag_list(activity.tags)


def _activity(row: ActivityRow) -> Activity:
    return Activity(name=row.name, what=row.what, pc4=row.pc4, place=row.place, when=row.when,
                    contact=row.contact, tags=frozenset(row.tags))
