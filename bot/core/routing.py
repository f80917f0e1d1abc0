"""Routing a postcode to the gemeente whose Signaalpunt follows it up, and herindelingen.

Order of :func:`route`:

1. PC6 (+ house number) from the CBS import, when the signaler gave the full postcode and it
   was imported; a PC6 that spans several gemeenten needs the house number (house-number
   exceptions table).
2. PC4 from the configuration (``pc4_routes``): the simple way for a single gemeente, and
   authoritative when the signaler gave only four digits.
3. PC4 from the CBS import: one gemeente routes; several make the result ambiguous (ask for
   the full postcode, or let the signaler pick one of the candidates).
4. Unknown: not on board, with the default advice.

A gemeente that is found but does not take part gives "not on board" with its own advice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, NamedTuple

from bot.core.clock import utcnow
from bot.core.inputs import Route

if TYPE_CHECKING:
    from storage.models import Gemeente
    from storage.uow import UnitOfWork

_CODE = re.compile(r"(?:GM)?(\d{1,4})", re.IGNORECASE)
_LETTERS = re.compile(r"[A-Z]{2}")
_NUMBER = re.compile(r"\s*(\d{1,5})")


class RouteKind(StrEnum):
    """What :func:`route` found."""

    ROUTED = "routed"  # a gemeente that takes part
    NOT_ON_BOARD = "not_on_board"  # a gemeente that does not take part, or none known
    AMBIGUOUS = "ambiguous"  # several gemeenten: ask the full postcode or let them pick
    NEEDS_HOUSE_NUMBER = "needs_house_number"  # a PC6 split between gemeenten, no number yet


class Candidate(NamedTuple):
    """A gemeente the signaler may pick; ``addresses`` is CBS's count in the area."""

    code: str
    name: str
    addresses: int = 0


@dataclass(frozen=True)
class RoutingDecision:
    """Where a postcode routes to.

    Attributes:
        kind: routed, not_on_board, ambiguous or needs_house_number.
        gemeente_code: the gemeente found (routed, or not on board when known).
        gemeente_name: its name.
        advice: for not_on_board: the gemeente's fallback advice, else the default advice.
        candidates: for ambiguous and needs_house_number: the gemeenten, most addresses first.
        source: what decided: ``house_number``, ``pc6``, ``config``, ``pc4_import``, ``pick``
            or ``none``.
    """

    kind: RouteKind
    gemeente_code: str | None = None
    gemeente_name: str | None = None
    advice: str = ""
    candidates: tuple[Candidate, ...] = field(default=())
    source: str = "none"

    @property
    def on_board(self) -> bool:
        """True when a participating gemeente follows the signal up."""
        return self.kind is RouteKind.ROUTED

    def to_route(self) -> Route:
        """The result in the engine's terms (:class:`~bot.core.engine.Route`)."""
        asks = self.kind in (RouteKind.AMBIGUOUS, RouteKind.NEEDS_HOUSE_NUMBER)
        return Route(on_board=self.on_board, gemeente=self.gemeente_code,
                     gemeente_name=self.gemeente_name, advice=self.advice,
                     candidates=tuple((c.code, c.name) for c in self.candidates) if asks else (),
                     needs_house_number=self.kind is RouteKind.NEEDS_HOUSE_NUMBER)


def _decide(gemeente: Gemeente, *, source: str, default_advice: str) -> RoutingDecision:
    if not gemeente.active:
        return RoutingDecision(RouteKind.NOT_ON_BOARD, gemeente.code, gemeente.name,
                           gemeente.fallback_advice or default_advice, source=source)
    return RoutingDecision(RouteKind.ROUTED, gemeente.code, gemeente.name, source=source)


async def _by_code(uow: UnitOfWork, code: str, *, source: str,
                   default_advice: str) -> RoutingDecision | None:
    gemeente = await uow.gemeenten.get(code=code)
    return None if gemeente is None else _decide(gemeente, source=source,
                                                 default_advice=default_advice)


def house_number_value(house_number: str | None) -> int | None:
    """The number part of a house number (``"12 A"`` -> 12); None when there is none."""
    match = _NUMBER.match(house_number or "")
    return int(match.group(1)) if match and int(match.group(1)) > 0 else None


async def route(uow: UnitOfWork, *, pc4: int, letters: str | None, house_number: str | None,
                default_advice: str) -> RoutingDecision:
    """Where a postcode routes to (see the module docstring for the order).

    Args:
        uow: an open unit of work (only read).
        pc4: the four digits.
        letters: the two letters of a full postcode, or None when only PC4 was given.
        house_number: as given (``"12"``, ``"12 A"``), or None when not known yet.
        default_advice: the advice when no gemeente is known.
    """
    if letters and _LETTERS.fullmatch(letters.upper()):
        pc6 = f"{pc4:04d}{letters.upper()}"
        found, code = await uow.routing.pc6(pc6=pc6)
        if found and code is not None:
            result = await _by_code(uow, code, source="pc6", default_advice=default_advice)
            if result is not None:
                return result
        elif found:  # the PC6 spans several gemeenten: the house number decides
            number = house_number_value(house_number)
            if number is not None:
                code = await uow.routing.house_number(pc6=pc6, number=number)
                result = None if code is None else await _by_code(
                    uow, code, source="house_number", default_advice=default_advice)
                if result is not None:
                    return result
            candidates = tuple(Candidate(*row) for row in
                               await uow.routing.pc6_candidates(pc6=pc6))
            kind = RouteKind.NEEDS_HOUSE_NUMBER if number is None else RouteKind.AMBIGUOUS
            return RoutingDecision(kind, advice=default_advice, candidates=candidates, source="pc6")
    gemeente = await uow.gemeenten.get_by_pc4(pc4=pc4)
    if gemeente is not None:
        return _decide(gemeente, source="config", default_advice=default_advice)
    rows = await uow.routing.pc4_candidates(pc4=pc4)
    if len(rows) == 1:
        return await route_gemeente(uow, rows[0][0], default_advice=default_advice,
                                    source="pc4_import")
    if rows:
        return RoutingDecision(RouteKind.AMBIGUOUS, advice=default_advice,
                           candidates=tuple(Candidate(*row) for row in rows),
                           source="pc4_import")
    return RoutingDecision(RouteKind.NOT_ON_BOARD, advice=default_advice)


async def route_gemeente(uow: UnitOfWork, code: str, *, default_advice: str,
                         source: str = "pick") -> RoutingDecision:
    """The result for one gemeente, e.g. the candidate a signaler picked."""
    result = await _by_code(uow, code, source=source, default_advice=default_advice)
    return result or RoutingDecision(RouteKind.NOT_ON_BOARD, advice=default_advice)


# --- herindeling -------------------------------------------------------------------------


class MergeError(Exception):
    """A merge that cannot be done (unknown code, a gemeente merged already...)."""


@dataclass
class MergeReport:
    """What a merge moved (all zero when it had been done before)."""

    source: str
    target: str
    target_name: str
    already_merged: bool = False
    created_target: bool = False
    activated_target: bool = False
    pc4_routes: int = 0
    imported_routes: int = 0
    alert_chats: int = 0
    staff: int = 0
    staff_joined: list[str] = field(default_factory=list)  # in both: kept the target record
    open_signals: int = 0
    closed_signals: int = 0
    not_on_board: int = 0
    organisations: int = 0
    activities: int = 0
    drafts: int = 0

    @property
    def moved(self) -> int:
        """How many rows moved in all."""
        return (self.pc4_routes + self.imported_routes + self.alert_chats + self.staff
                + len(self.staff_joined) + self.open_signals + self.closed_signals
                + self.not_on_board + self.organisations + self.activities + self.drafts)

    def lines(self) -> list[str]:
        """A short human summary (English: for the admin's command line)."""
        lines = [f"merged {self.source} into {self.target} {self.target_name}"]
        if self.already_merged:
            lines = [f"{self.source} was already merged into {self.target}; "
                     + ("nothing left to move" if self.moved == 0 else "moved what was left")]
        if self.created_target:
            lines.append(f"created {self.target} {self.target_name}")
        if self.activated_target:
            lines.append(f"{self.target} is now on board (it takes over from {self.source})")
        lines.append(
            f"moved: {self.pc4_routes} configured PC4 areas, {self.imported_routes} imported "
            f"routing rows, {self.alert_chats} alert chats, {self.staff} staff, "
            f"{self.open_signals} open and {self.closed_signals} closed signals, "
            f"{self.not_on_board} not-on-board counts, {self.organisations} organisations/"
            f"invitations, {self.activities} activities of the sociale kaart (one whose name "
            f"{self.target} has stays with {self.source}), {self.drafts} conversations in "
            "progress")
        lines += [f"{who}: already staff of {self.target}; kept that record"
                  for who in self.staff_joined]
        return lines


def gemeente_code(text: str) -> str:
    """``"gm715"``, ``"0715"``, ``"GM0715"`` -> ``"GM0715"``.

    Raises:
        MergeError: when it is no CBS gemeente code.
    """
    match = _CODE.fullmatch(text.strip())
    if not match or int(match.group(1)) == 0:
        raise MergeError(f"{text!r} is not a CBS gemeente code like GM0715")
    return f"GM{int(match.group(1)):04d}"


async def merge_gemeenten(uow: UnitOfWork, *, source: str, target: str,
                          target_name: str | None = None, commit: bool = True) -> MergeReport:
    """Herindeling: move everything of ``source`` to ``target`` in one transaction.

    Moves the configured PC4 areas, the imported routing rows, alert chats, backup contacts,
    staff (someone in both keeps the target record and takes over what they owned), every
    signal (open and closed: the new gemeente is the legal successor, and its monitoring
    continues the old one's), the anonymous not-on-board counts, signaler organisations,
    unused invitations, the sociale kaart's activities and conversations in progress. The
    old gemeente stays, inactive; the target takes part when the old one did. The merge is
    recorded, so later imports of an older CBS file route to the target. Running it again
    moves nothing and reports so.

    Args:
        uow: an open unit of work (with the encryption key: drafts are rewritten).
        source: the old code (``GM0xxx``, ``0xxx`` or ``xxx``).
        target: the new code.
        target_name: creates the target when it is unknown (a renamed gemeente).
        commit: False for a dry run (the caller's unit of work then rolls back).

    Raises:
        MergeError: unknown codes, the same code twice, or a gemeente merged already.
    """
    source, target = gemeente_code(source), gemeente_code(target)
    if source == target:
        raise MergeError(f"cannot merge {source} into itself")
    old = await uow.gemeenten.get(code=source)
    if old is None:
        raise MergeError(f"unknown gemeente {source}")
    onward = await uow.merges.get(from_code=target)
    if onward is not None:
        raise MergeError(f"{target} was itself merged into {onward.into_code}; "
                         f"merge into {onward.into_code} instead")
    done = await uow.merges.get(from_code=source)
    if done is not None and done.into_code != target:
        raise MergeError(f"{source} was already merged into {done.into_code} on "
                         f"{done.merged_at:%Y-%m-%d}")
    new = await uow.gemeenten.get(code=target)
    report = MergeReport(source, target, "")
    if new is None:
        if not target_name:
            raise MergeError(f"unknown gemeente {target}: import the CBS file that has it, or "
                             f"give its name to create it")
        new = await uow.gemeenten.add(code=target, name=target_name)
        report.created_target = True
    report.target_name, report.already_merged = new.name, done is not None
    if old.active and not new.active:
        new.active, report.activated_target = True, True
    new.fallback_advice = new.fallback_advice or old.fallback_advice
    new.backup_chat_ids = list(dict.fromkeys([*new.backup_chat_ids, *old.backup_chat_ids]))
    old.active = False
    merges = uow.merges
    report.pc4_routes = await merges.move_pc4_routes(source=source, target=target)
    report.imported_routes = await merges.move_imported_routing(source=source, target=target)
    report.alert_chats = await merges.move_alert_chats(source=source, target=target)
    report.staff, joined = await merges.move_staff(source=source, target=target)
    report.staff_joined = [member.name for member in joined]
    report.open_signals, report.closed_signals = await merges.move_signals(
        source=source, target=target)
    report.not_on_board = await merges.move_not_on_board(source=source, target=target)
    report.organisations = await merges.move_organisations(source=source, target=target,
                                                           now=utcnow())
    report.activities = await merges.move_activities(source=source, target=target)
    report.drafts = await merges.move_drafts(source=source, target=target,
                                             target_name=new.name)
    await merges.record(source=source, target=target)
    if commit:
        await uow.commit()
    return report
