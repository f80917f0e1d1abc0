"""Routing a postcode to the gemeente whose Signaalpunt follows it up."""

from __future__ import annotations

from bot.engine import Route
from storage.uow import UnitOfWork


async def route_pc4(uow: UnitOfWork, pc4: int, *, default_advice: str) -> Route:
    """Where a PC4 area routes to; gemeenten that do not take part give their own advice."""
    gemeente = await uow.gemeenten.get_by_pc4(pc4=pc4)
    if gemeente is None:
        return Route(on_board=False, advice=default_advice)
    if not gemeente.active:
        return Route(
            on_board=False,
            gemeente=gemeente.code,
            gemeente_name=gemeente.name,
            advice=gemeente.fallback_advice or default_advice,
        )
    return Route(on_board=True, gemeente=gemeente.code, gemeente_name=gemeente.name)
