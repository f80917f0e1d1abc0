"""Administration, one implementation for the chat menu and the command line.

Who may do what: global admins (``settings.admins``) and the command line (the server's
operator) administer every gemeente; a gemeente's regisseurs administer their own gemeente
only; anyone else gets nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.core import messages
from bot.core.alerts import revoke
from bot.core.clock import utcnow
from bot.core.gemeente_rules import GEMEENTE_BOUNDS, out_of_range, text_problem
from bot.core.people import Person
from bot.core.texts import SAMPLE, TEXTS, render_text
from bot.core.workflow import NoAccess, StaffRole

if TYPE_CHECKING:
    from storage.models import Gemeente, Organisation, Staff
    from storage.uow import UnitOfWork

INVITE_PREFIX = "inv_"
INVITE_TTL = timedelta(days=7)
ORG_PREFIX = "org_"
ORG_NAME_MAX = 120  # storage.models.Organisation.name
SETTABLE = {  # gemeente setting -> parser of its text value; numbers: bot.settings.GEMEENTE_BOUNDS
    "fallback_advice": str,
    "escalation_hours": float,
    "silent_days": float,
    "retention_days": float,
}


class AdminError(ValueError):
    """The request itself is wrong (unknown gemeente, bad value...); the message says how."""


@dataclass(frozen=True)
class Removal:
    """What an admin must still do after removing a staff member."""

    team_groups: list[int]  # Telegram groups they may still be a member of
    in_config: bool  # declared in the config: take them out there too


@dataclass(frozen=True)
class Invitation:
    """A staff invitation: whoever taps ``link`` first, before ``expires_at``, joins."""

    link: str
    role: StaffRole
    gemeente_code: str
    gemeente_name: str
    expires_at: datetime


@dataclass(frozen=True)
class OrganisationLink:
    """A signaler organisation and its deep link (nothing about people)."""

    code: str
    name: str
    role: str
    gemeente_code: str | None
    gemeente_name: str | None
    link: str


@dataclass(frozen=True)
class Actor:
    """Who acts: a person (on Telegram, the only admin channel yet), or ``None`` for the CLI."""

    person: Person | None


CLI = Actor(None)


def token_hash(token: str) -> str:
    """Only this is stored: a leaked database does not give working invite links."""
    return hashlib.sha256(token.encode()).hexdigest()


def deep_link(bot_username: str, payload: str) -> str:
    """A ``t.me`` link that opens the bot with ``/start <payload>``."""
    return f"https://t.me/{bot_username}?start={payload}"


def same_name(one: str, other: str) -> bool:
    """Whether two names are the same to a reader (case and spacing aside)."""
    return " ".join(one.split()).casefold() == " ".join(other.split()).casefold()


class AdminService:
    """Gemeenten, staff, invitations, organisations and texts."""

    def __init__(self, uow: Callable[[], UnitOfWork], *, admins: frozenset[int],
                 invite_ttl: timedelta = INVITE_TTL,
                 on_commit: Callable[[], None] = lambda: None) -> None:
        """``on_commit`` is called after a change queued messages (blanked copies)."""
        self._uow = uow
        self._admins = admins
        self._invite_ttl = invite_ttl
        self._on_commit = on_commit

    def is_global(self, actor: Actor) -> bool:
        """Whether the actor administers every gemeente."""
        return actor.person is None or (actor.person.telegram_id or 0) in self._admins

    async def manageable(self, actor: Actor) -> list[Gemeente]:
        """The gemeenten this actor may administer (empty: not an admin at all)."""
        async with self._uow() as uow:
            if self.is_global(actor):
                return await uow.gemeenten.list_all()
            assert actor.person is not None
            codes = [m.gemeente_code for m in await uow.staff.list_memberships(
                person=actor.person) if m.role is StaffRole.REGISSEUR]
            return [g for g in await uow.gemeenten.list_all() if g.code in codes]

    async def _gemeente(self, uow: UnitOfWork, actor: Actor, code: str) -> Gemeente:
        gemeente = await uow.gemeenten.get(code=code)
        if not self.is_global(actor):
            assert actor.person is not None
            member = await uow.staff.get_active(person=actor.person, gemeente_code=code)
            if member is None or member.role is not StaffRole.REGISSEUR:
                raise NoAccess(code)
        if gemeente is None:
            raise AdminError(f"unknown gemeente {code}")
        return gemeente

    # -- gemeenten

    async def set_active(self, actor: Actor, code: str, active: bool) -> None:
        """Take a gemeente on board, or off board."""
        async with self._uow() as uow:
            gemeente = await self._gemeente(uow, actor, code)
            if active and not await uow.gemeenten.list_alert_chats(code=code):
                raise AdminError(f"{code} has no alert chat yet; set alert chats first")
            gemeente.active = active
            await uow.commit()

    async def set_alert_chats(self, actor: Actor, code: str, chat_ids: list[int]) -> None:
        """Replace a gemeente's alert chats."""
        async with self._uow() as uow:
            await self._gemeente(uow, actor, code)
            await uow.gemeenten.replace_alert_chats(code=code, chat_ids=chat_ids)
            await uow.commit()

    async def set_setting(self, actor: Actor, code: str, name: str, value: str) -> str | float:
        """Change one of a gemeente's settings (``SETTABLE``); numbers within their bounds.

        Returns the value as stored.
        """
        parse = SETTABLE.get(name)
        if parse is None:
            raise AdminError(f"unknown setting {name}; one of {', '.join(SETTABLE)}")
        try:
            parsed = parse(value)
        except ValueError:
            raise AdminError(f"{name}: {value!r} is not a valid value") from None
        if isinstance(parsed, float):  # float() also takes "inf", "nan" and "1e999" (inf)
            problem = out_of_range(parsed, *GEMEENTE_BOUNDS[name])
            if problem:
                raise AdminError(f"{name} {problem}, not {value!r}")
        async with self._uow() as uow:
            gemeente = await self._gemeente(uow, actor, code)
            setattr(gemeente, name, parsed)
            await uow.commit()
        return parsed

    # -- staff

    async def invite(self, actor: Actor, code: str, role: str,
                     bot_username: str) -> Invitation:
        """A one-time deep link that registers whoever taps it as staff with ``role``."""
        staff_role = _staff_role(role)
        token = secrets.token_urlsafe(24)  # 192 bits: not guessable
        expires_at = utcnow() + self._invite_ttl
        async with self._uow() as uow:
            gemeente = await self._gemeente(uow, actor, code)
            await uow.invitations.add(token_hash=token_hash(token), gemeente_code=code,
                                      role=staff_role, expires_at=expires_at)
            await uow.commit()
        return Invitation(deep_link(bot_username, INVITE_PREFIX + token), staff_role, code,
                          gemeente.name, expires_at)

    async def redeem(self, token: str, person: Person, name: str) -> Staff | None:
        """Use an invitation: once, before it expires. None when it is not (or no longer) valid.

        The person becomes staff on the channel they redeemed it on.
        """
        async with self._uow() as uow:
            invite = await uow.invitations.claim_invite(token_hash=token_hash(token), now=utcnow())
            if invite is None:
                return None
            staff = await uow.staff.add_or_activate(
                gemeente_code=invite.gemeente_code, person=person,
                name=name[:80] or "Medewerker", role=invite.role)
            invite.used_by = staff.id
            if person.telegram_id is not None:
                await uow.blocks.unblock(chat_id=person.telegram_id)
            await uow.commit()
            return staff

    async def reachable(self, chat_id: int, *, reachable: bool = True) -> None:
        """A chat can be reached again (its person wrote, the bot was added back), or not."""
        async with self._uow() as uow:
            if reachable:
                await uow.blocks.unblock(chat_id=chat_id)
            else:
                await uow.blocks.block(chat_id=chat_id, now=utcnow())
            await uow.commit()

    async def unerased(self, actor: Actor, code: str) -> list[tuple[str, str]]:
        """Copies of this gemeente's signals that Telegram would neither blank nor delete.

        ``(reference, chat)``; a signaler's chat is never named, only "melder".
        """
        async with self._uow() as uow:
            await self._gemeente(uow, actor, code)
            return [(reference or "?", str(row.chat_id or row.address or messages.SIGNALER_CHAT))
                    for row, reference, gemeente
                    in await uow.outbox.failed_erasures() if gemeente == code]

    async def list_staff(self, actor: Actor, code: str) -> list[Staff]:
        """A gemeente's active staff."""
        async with self._uow() as uow:
            await self._gemeente(uow, actor, code)
            return await uow.staff.list_team(gemeente_code=code)

    async def remove_staff(self, actor: Actor, code: str, person: Person) -> Removal:
        """Take someone's access away, at once, and blank their copies of its signals.

        Returns the gemeente's team groups (they may still be a member: Telegram's membership
        is not the bot's) and whether the config declares them (its next apply restores them).
        """
        async with self._uow() as uow:
            await self._gemeente(uow, actor, code)
            member = await uow.staff.get_active(person=person, gemeente_code=code)
            if member is None:
                raise AdminError(f"{person} is no staff member of {code}")
            member.active, member.pending = False, None
            groups = await revoke(uow, person=person, gemeente_code=code)
            await uow.commit()
        self._on_commit()
        return Removal(groups, member.source == "config")

    async def set_role(self, actor: Actor, code: str, person: Person, role: str) -> None:
        """Make someone regisseur or team member."""
        staff_role = _staff_role(role)
        async with self._uow() as uow:
            await self._gemeente(uow, actor, code)
            member = await uow.staff.get_active(person=person, gemeente_code=code)
            if member is None:
                raise AdminError(f"{person} is no staff member of {code}")
            member.role = staff_role
            await uow.commit()

    # -- organisations

    async def add_organisation(self, actor: Actor, name: str, role: str,
                               gemeente_code: str | None, bot_username: str) -> OrganisationLink:
        """Register a signaler organisation; a name its gemeente has already is refused."""
        from bot.core.questionnaire import Marker
        from bot.core.questionnaires import signal

        roles = [option.value for option in signal().marked(Marker.ROLE).options]
        if role not in roles:
            raise AdminError(f"unknown role {role}; one of {', '.join(roles)}")
        name = " ".join(name.split())
        if not 1 <= len(name) <= ORG_NAME_MAX:
            raise AdminError(f"an organisation's name is 1 to {ORG_NAME_MAX} characters, "
                             f"not {len(name)}")
        if gemeente_code is None and not self.is_global(actor):
            raise NoAccess("only global admins add organisations without a gemeente")
        code = organisation_code()
        async with self._uow() as uow:
            gemeente = (await self._gemeente(uow, actor, gemeente_code)
                        if gemeente_code is not None else None)
            for existing, _ in await uow.organisations.list_organisations():
                if existing.gemeente_code == gemeente_code and same_name(existing.name, name):
                    raise AdminError(_taken(existing))
            organisation = await uow.organisations.add(code=code, name=name, role=role,
                                                       gemeente_code=gemeente_code)
            added = _link(organisation, gemeente.name if gemeente else None, bot_username)
            await uow.commit()
        return added

    async def list_organisations(self, actor: Actor, gemeente_code: str | None,
                                 bot_username: str) -> list[OrganisationLink]:
        """Signaler organisations with their links, one gemeente's or (global admins) all.

        Ordered by gemeente, those without one last, then by name.
        """
        async with self._uow() as uow:
            if gemeente_code is not None:
                await self._gemeente(uow, actor, gemeente_code)
            elif not self.is_global(actor):
                raise NoAccess("only global admins list every organisation")
            rows = await uow.organisations.list_organisations()
        links = [_link(org, gemeente, bot_username) for org, gemeente in rows
                 if gemeente_code is None or org.gemeente_code == gemeente_code]
        return sorted(links, key=lambda org: (org.gemeente_code is None, org.gemeente_code or "",
                                              org.name.casefold()))

    # -- texts

    async def set_text(self, actor: Actor, code: str, key: str, text: str | None) -> None:
        """Word a text in the gemeente's own words (None: back to the built-in text)."""
        if key not in TEXTS:
            raise AdminError(f"unknown text {key}; one of {', '.join(TEXTS)}")
        problem = text_problem(text) if text is not None else None
        if problem:
            raise AdminError(f"{key}: {problem}")
        async with self._uow() as uow:
            await self._gemeente(uow, actor, code)
            await uow.texts.set_text(code=code, key=key, text=text)
            await uow.commit()

    async def preview(self, actor: Actor, code: str, key: str) -> str:
        """The text as the gemeente's users would see it (sample values filled in)."""
        if key not in TEXTS:
            raise AdminError(f"unknown text {key}; one of {', '.join(TEXTS)}")
        async with self._uow() as uow:
            gemeente = await self._gemeente(uow, actor, code)
            custom = await uow.texts.get_text(code=code, key=key)
        return render_text(custom if custom is not None else TEXTS[key], custom=custom is not None,
                           reference=SAMPLE["reference"], gemeente=gemeente.name)



def _staff_role(role: str) -> StaffRole:
    try:
        return StaffRole(role)
    except ValueError:
        raise AdminError(f"role must be one of {', '.join(StaffRole)}") from None


def _link(organisation: Organisation, gemeente_name: str | None,
          bot_username: str) -> OrganisationLink:
    return OrganisationLink(organisation.code, organisation.name, organisation.role,
                            organisation.gemeente_code, gemeente_name,
                            deep_link(bot_username, ORG_PREFIX + organisation.code))


def _taken(existing: Organisation) -> str:
    """One line: the organisation exists, and how to get its link and QR code again."""
    gemeente = existing.gemeente_code
    owner = f"{gemeente} already has" if gemeente else "without a gemeente there already is"
    listing = "signaalbot org list" + (f" -g {gemeente}" if gemeente else "")
    return (f'{owner} the organisation "{existing.name}" (code {existing.code}): `{listing}` '
            f"shows its link, `signaalbot org qr {existing.code} --qr FILE` writes its QR code "
            "again")


def organisation_code() -> str:
    """A new organisation's code: 8 characters for a link, never a leading ``-`` or ``_``.

    A command line would read ``-Xy…`` as an option (``signaalbot org qr -Xy…`` failed).
    """
    code = secrets.token_urlsafe(6)
    while code[0] in "-_":
        code = secrets.token_urlsafe(6)
    return code
