"""A gemeente's own wording of the bot's texts."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import GemeenteText


class TextRepository:
    """Texts a gemeente worded itself, by gemeente and text key."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_text(self, *, code: str, key: str) -> str | None:
        """A gemeente's own wording of a text, if it has one."""
        row = await self.session.get(GemeenteText, (code, key))
        return row.text if row else None

    async def set_text(self, *, code: str, key: str, text: str | None) -> None:
        """Set (or with None remove) a gemeente's own wording of a text."""
        row = await self.session.get(GemeenteText, (code, key))
        if text is None:
            if row is not None:
                await self.session.delete(row)
        elif row is None:
            self.session.add(GemeenteText(gemeente_code=code, key=key, text=text))
        else:
            row.text = text
        await self.session.flush()
