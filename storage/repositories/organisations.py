"""Signaler organisations: who reports through which deep link."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Gemeente, Organisation


class OrganisationRepository:
    """Signaler organisations, found by the code in their deep link."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, *, code: str, name: str, role: str,
                  gemeente_code: str | None) -> Organisation:
        """Store a new organisation."""
        organisation = Organisation(code=code, name=name, role=role, gemeente_code=gemeente_code)
        self.session.add(organisation)
        await self.session.flush()
        return organisation

    async def upsert_organisation(self, *, code: str, name: str, role: str,
                                  gemeente_code: str | None) -> None:
        """Create or update a signaler organisation by its code."""
        org = await self.get_organisation(code=code)
        if org is None:
            self.session.add(Organisation(code=code, name=name, role=role,
                                          gemeente_code=gemeente_code))
        else:
            org.name, org.role, org.gemeente_code = name, role, gemeente_code
        await self.session.flush()

    async def get_organisation(self, *, code: str) -> Organisation | None:
        """A signaler organisation by the code in its deep link."""
        return await self.session.scalar(select(Organisation).where(Organisation.code == code))

    async def list_organisations(self) -> list[tuple[Organisation, str | None]]:
        """Every signaler organisation with its gemeente's name (None: it has no gemeente)."""
        rows = await self.session.execute(select(Organisation, Gemeente.name).outerjoin(
            Gemeente, Gemeente.code == Organisation.gemeente_code))
        return [(organisation, name) for organisation, name in rows]

