"""Configuration as code: what the TOML declares, applied to the database idempotently.

``plan`` lists what ``apply`` would change (the dry run); applying twice changes nothing the
second time. A gemeente merged into another (``signaalbot gemeente merge``) is skipped.
Gemeenten, their settings, alert chats, PC4 areas, staff, texts and signaler
organisations can all be declared. Staff who joined through an invitation are left alone;
staff declared in the config lose access when they are taken out of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.core.alerts import revoke
from bot.core.gemeente_rules import show_value
from bot.settings import GemeenteSettings, Settings

if TYPE_CHECKING:
    from storage.models import Gemeente
    from storage.uow import UnitOfWork

_FIELDS = ("name", "active", "fallback_advice", "escalation_hours", "silent_days",
           "retention_days", "backup_chat_ids")


async def _declared(settings: Settings, uow: UnitOfWork
                    ) -> tuple[list[GemeenteSettings], list[str]]:
    """The gemeenten to apply, and a note for each merged one.

    A gemeente merged into another is not applied; its PC4 areas go to its successor.
    """
    areas: dict[str, list[str]] = {}
    merged, notes = set(), []
    for declared in settings.gemeenten:
        merge = await uow.merges.get(from_code=declared.code)
        if merge is not None:
            merged.add(declared.code)
            areas.setdefault(merge.into_code, []).extend(declared.pc4)
            notes.append(f"{declared.code}: merged into {merge.into_code}; its areas go there "
                         "(remove it from the config)")
    gemeenten = [g.model_copy(update={"pc4": g.pc4 + areas.get(g.code, [])})
                 for g in settings.gemeenten if g.code not in merged]
    return gemeenten, notes


async def plan(settings: Settings, uow: UnitOfWork) -> list[str]:
    """The changes ``apply`` would make, one line each (empty: nothing to do)."""
    gemeenten, notes = await _declared(settings, uow)
    changes: list[str] = []
    for declared in gemeenten:
        current = await uow.gemeenten.get(code=declared.code)
        if current is None:
            changes.append(f"{declared.code}: new gemeente {declared.name}")
            continue
        changes += await _gemeente_changes(uow, declared, current)
    for org in settings.organisations:
        existing = await uow.organisations.get_organisation(code=org.code)
        values = (org.name, org.role, org.gemeente)
        if existing is None:
            changes.append(f"organisation {org.code}: new ({org.name})")
        elif (existing.name, existing.role, existing.gemeente_code) != values:
            changes.append(f"organisation {org.code}: changed")
    return changes + notes if changes else changes


async def _gemeente_changes(uow: UnitOfWork, declared: GemeenteSettings,
                            current: Gemeente) -> list[str]:
    code, changes = declared.code, []
    for field in _FIELDS:
        want: Any = getattr(declared, field)
        have: Any = getattr(current, field)
        if want != have:
            changes.append(f"{code}: {field} {show_value(have)} -> {show_value(want)}")
    chats = set(await uow.gemeenten.list_all_alert_chats(code=code))
    changes += [f"{code}: + alert chat {c}" for c in sorted(set(declared.alert_chat_ids) - chats)]
    changes += [f"{code}: - alert chat {c}" for c in sorted(chats - set(declared.alert_chat_ids))]
    want_pc4 = {pc4 for low, high in declared.pc4_ranges for pc4 in range(low, high + 1)}
    have_pc4 = set(await uow.gemeenten.list_pc4(code=code))
    if want_pc4 != have_pc4:
        changes.append(f"{code}: pc4 areas +{len(want_pc4 - have_pc4)} "
                       f"-{len(have_pc4 - want_pc4)}")
    staff = {m.person: m for m in await uow.staff.list_team(gemeente_code=code)}
    for member in declared.staff:
        have_member = staff.get(member.person)
        if have_member is None:
            changes.append(f"{code}: + staff {member.name} ({member.role})")
        elif (have_member.name, have_member.role) != (member.name, member.role):
            changes.append(f"{code}: staff {member.name} -> {member.role}")
    declared_ids = {m.person for m in declared.staff}
    changes += [f"{code}: - staff {m.name}" for m in staff.values()
                if m.source == "config" and m.person not in declared_ids]
    for key, text in declared.texts.items():
        if await uow.texts.get_text(code=code, key=key) != text:
            changes.append(f"{code}: text {key}")
    return changes


async def apply(settings: Settings, uow: UnitOfWork) -> None:
    """Make the database match the configuration (and commit)."""
    gemeenten, _ = await _declared(settings, uow)
    for gemeente in gemeenten:
        await uow.gemeenten.upsert(
            code=gemeente.code,
            name=gemeente.name,
            active=gemeente.active,
            fallback_advice=gemeente.fallback_advice,
            alert_chat_ids=gemeente.alert_chat_ids,
            pc4_ranges=gemeente.pc4_ranges,
            escalation_hours=gemeente.escalation_hours,
            retention_days=gemeente.retention_days,
            silent_days=gemeente.silent_days,
            backup_chat_ids=gemeente.backup_chat_ids,
        )
        removed = await uow.staff.sync(gemeente_code=gemeente.code, members=[
            (member.person, member.name, member.role) for member in gemeente.staff])
        for person in removed:  # their copies of signals are blanked
            await revoke(uow, person=person, gemeente_code=gemeente.code)
        for key, text in gemeente.texts.items():
            await uow.texts.set_text(code=gemeente.code, key=key, text=text)
    for org in settings.organisations:
        await uow.organisations.upsert_organisation(code=org.code, name=org.name, role=org.role,
                                                gemeente_code=org.gemeente)
    await uow.commit()
