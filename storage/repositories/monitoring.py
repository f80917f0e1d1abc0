"""Anonymous figures for monitoring."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Float, String, Text, extract, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Gemeente, NewsSubscription, NotOnBoard, Organisation, Signal

SIGNAAL = "signaal"  # Signal.kind of a signal (bot.core.questionnaire.ReportKind)


class MonitoringRepository:
    """Anonymous figures for monitoring: grouped counts, durations and backlog dates.

    Reads only anonymous columns (gemeente, role, signs, pc4, choices, organisation, status,
    outcome, the timestamps), ``not_on_board`` and the organisations' names; never ``answers``,
    so it works after the retention purge and without the encryption key. ``gemeente_code=None``
    means every gemeente (the national view). Periods are half-open: ``start <= created_at < end``.
    The signals' figures count signals only; ``count_kinds`` counts the reports of other kinds
    (self-reports, volunteer sign-ups).
    """

    GROUPS = {"gemeente": Signal.gemeente_code, "role": Signal.role, "pc4": Signal.pc4,
              "organisation": Signal.organisation_id, "status": Signal.status,
              "outcome": Signal.outcome}

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @property
    def _postgres(self) -> bool:
        return self.session.get_bind().dialect.name == "postgresql"

    @staticmethod
    def _where(gemeente_code: str | None, start: datetime, end: datetime) -> list[Any]:
        conditions = [Signal.kind == SIGNAAL, Signal.created_at >= start,
                      Signal.created_at < end]
        if gemeente_code is not None:
            conditions.append(Signal.gemeente_code == gemeente_code)
        return conditions

    async def count_by(self, group: str, *, gemeente_code: str | None, start: datetime,
                       end: datetime) -> dict[Any, int]:
        """Signals created in the period per value of one column (a key of ``GROUPS``)."""
        column = self.GROUPS[group]
        rows = await self.session.execute(
            select(column, func.count()).where(*self._where(gemeente_code, start, end))
            .group_by(column))
        return {key: int(count) for key, count in rows}

    async def count_signs(self, *, gemeente_code: str | None, start: datetime,
                          end: datetime) -> dict[str, int]:
        """How many signals of the period mention each sign (grouped by the JSON list)."""
        text = Signal.signs.cast(Text)
        rows = await self.session.execute(
            select(text, func.count()).where(*self._where(gemeente_code, start, end))
            .group_by(text))
        counts: dict[str, int] = {}
        for signs, count in rows:
            for sign in set(json.loads(signs) if signs else ()):
                counts[sign] = counts.get(sign, 0) + int(count)
        return counts

    async def count_choices(self, *, gemeente_code: str | None, start: datetime,
                            end: datetime) -> dict[tuple[str, str], int]:
        """How many signals of the period gave each (question, value) of a counted question."""
        text = Signal.choices.cast(Text)
        rows = await self.session.execute(
            select(text, func.count()).where(*self._where(gemeente_code, start, end))
            .group_by(text))
        counts: dict[tuple[str, str], int] = {}
        for choices, count in rows:
            for question, answer in ((json.loads(choices) if choices else None) or {}).items():
                for value in set(answer if isinstance(answer, list) else [answer]):
                    key = (question, str(value))
                    counts[key] = counts.get(key, 0) + int(count)
        return counts

    async def count_by_hour(self, *, gemeente_code: str | None, start: datetime,
                            end: datetime) -> dict[datetime, int]:
        """Signals created in the period per UTC hour (to be binned in local weeks)."""
        hour = self._hour()
        rows = await self.session.execute(
            select(hour, func.count()).where(*self._where(gemeente_code, start, end))
            .group_by(hour))
        return {datetime.strptime(key, "%Y-%m-%d %H").replace(tzinfo=UTC): int(count)
                for key, count in rows}

    def _hour(self) -> Any:
        """``created_at`` as its UTC hour, text ``YYYY-MM-DD HH``, on either database."""
        if self._postgres:
            return func.to_char(func.timezone("UTC", Signal.created_at), "YYYY-MM-DD HH24")
        return func.substr(Signal.created_at, 1, 13, type_=String)  # stored as UTC text

    def _seconds(self, start: Any, end: Any) -> Any:
        """Seconds from ``start`` to ``end`` (rounded to milliseconds where they are read).

        SQLite's julianday is exact to about 0.1 ms; PostgreSQL extracts the epoch.
        """
        if self._postgres:
            return extract("epoch", end - start).cast(Float)
        return (func.julianday(end) - func.julianday(start)) * 86400.0

    async def durations(self, *, gemeente_code: str | None, start: datetime,
                        end: datetime) -> tuple[list[float], list[float]]:
        """Seconds from filing to claim, and to first contact, of the period's signals."""
        rows = await self.session.execute(
            select(self._seconds(Signal.created_at, Signal.claimed_at),
                   self._seconds(Signal.created_at, Signal.first_contact_at))
            .where(*self._where(gemeente_code, start, end), Signal.claimed_at.is_not(None)))
        claim, contact = [], []
        for to_claim, to_contact in rows:
            claim.append(round(float(to_claim), 3))
            if to_contact is not None:
                contact.append(round(float(to_contact), 3))
        return claim, contact

    async def backlog(self, *, gemeente_code: str | None, at: datetime) -> list[datetime]:
        """When each signal that was open at ``at`` was filed (open: not closed by then)."""
        query = select(Signal.created_at).where(
            Signal.kind == SIGNAAL, Signal.created_at < at,
            or_(Signal.status != "closed", Signal.closed_at >= at))
        if gemeente_code is not None:
            query = query.where(Signal.gemeente_code == gemeente_code)
        return list(await self.session.scalars(query))

    async def count_kinds(self, *, gemeente_code: str | None, start: datetime,
                          end: datetime) -> dict[tuple[str, str], int]:
        """Reports of other kinds than signals filed in the period, per (kind, gemeente code)."""
        query = (select(Signal.kind, Signal.gemeente_code, func.count())
                 .where(Signal.kind != SIGNAAL, Signal.created_at >= start,
                        Signal.created_at < end)
                 .group_by(Signal.kind, Signal.gemeente_code))
        if gemeente_code is not None:
            query = query.where(Signal.gemeente_code == gemeente_code)
        return {(kind, code): int(count) for kind, code, count in await self.session.execute(query)}

    async def count_news(self, *, gemeente_code: str | None, start: datetime,
                         end: datetime) -> dict[tuple[str, str], int]:
        """News opt-ins per (measure, gemeente code).

        ``active``: opted in at ``end`` (not ended by then); ``new``: opted in during the
        period; ``organisation``: of those, the ones who came through an organisation's link.
        """
        created = NewsSubscription.created_at
        active = (created < end) & or_(NewsSubscription.ended_at.is_(None),
                                       NewsSubscription.ended_at >= end)
        new = (created >= start) & (created < end)
        measures = {"active": active, "new": new,
                    "organisation": new & NewsSubscription.organisation_id.is_not(None)}
        counts: dict[tuple[str, str], int] = {}
        for measure, condition in measures.items():
            query = (select(NewsSubscription.gemeente_code, func.count()).where(condition)
                     .group_by(NewsSubscription.gemeente_code))
            if gemeente_code is not None:
                query = query.where(NewsSubscription.gemeente_code == gemeente_code)
            counts |= {(measure, code): int(n) for code, n in await self.session.execute(query)}
        return counts

    async def count_not_on_board(self, *, gemeente_code: str | None, start: datetime,
                                 end: datetime) -> dict[str | None, int]:
        """Signals for gemeenten that do not take part, per gemeente code (None: unknown)."""
        query = (select(NotOnBoard.gemeente_code, func.count())
                 .where(NotOnBoard.created_at >= start, NotOnBoard.created_at < end)
                 .group_by(NotOnBoard.gemeente_code))
        if gemeente_code is not None:
            query = query.where(NotOnBoard.gemeente_code == gemeente_code)
        return {code: int(count) for code, count in await self.session.execute(query)}

    async def gemeente_names(self) -> dict[str, str]:
        """Every known gemeente's name by CBS code."""
        rows = await self.session.execute(select(Gemeente.code, Gemeente.name))
        return {code: name for code, name in rows}

    async def organisations(self) -> dict[int, tuple[str, str, str | None]]:
        """Every signaler organisation: id -> (code, name, gemeente code or None)."""
        rows = await self.session.execute(
            select(Organisation.id, Organisation.code, Organisation.name,
                   Organisation.gemeente_code))
        return {id_: (code, name, gemeente) for id_, code, name, gemeente in rows}
