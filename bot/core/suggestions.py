"""What someone can do next: local activities from the sociale kaart, and a vraagje card.

After filing, a signaler gets a conversation-starter question and one or two general
activities near the signal to mention; a self-reporter gets activities near them that fit what
they said would help. Staff pick from the best matches for a self-report or a volunteer
sign-up. Pure functions of public kaart data (nothing about a person goes in).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from bot.core import messages, vraagjes
from bot.core.sociale_kaart import TAGS, Activity, shown, suggest

# A signaler can mention these to anyone: general ways to meet people.
SIGNALER_INTERESTS = frozenset({"praatje", "samen", "koffie"})
SIGNALER_ACTIVITIES = 2
RESIDENT_ACTIVITIES = 3
STAFF_CHOICES = 5  # a staff member's list to pick from


def interests(choices: Mapping[str, Any] | None) -> frozenset[str]:
    """The kaart's interest tags among a report's counted answers (option values are tags)."""
    values: list[Any] = []
    for value in (choices or {}).values():
        values.extend(value if isinstance(value, list) else [value])
    return frozenset(value for value in values if value in TAGS)


def after_filing(kind: str, activities: Iterable[Activity], pc4: int | None,
                 choices: Mapping[str, Any] | None, seed: int, *, more_cards: bool = True
                 ) -> str | None:
    """What the writer of a report of this kind is suggested once it is filed, if anything.

    ``more_cards``: say how to get another vraagje (a chat, where ``/vraagje`` works).
    """
    if kind == "signaal":
        return for_signaler(activities, pc4, seed, more_cards=more_cards)
    if kind == "zelfmelding":
        return for_resident(activities, pc4, interests(choices))
    return None


def for_signaler(activities: Iterable[Activity], pc4: int | None, seed: int, *,
                 more_cards: bool = True) -> str:
    """A vraagje card, and general activities near ``pc4`` when the kaart has them."""
    parts = [vraagjes.card_text(seed, 0)]
    if more_cards:
        parts.append(messages.SUGGEST_MORE_VRAAGJES)
    picks = suggest(activities, pc4, SIGNALER_INTERESTS, SIGNALER_ACTIVITIES)
    if picks:
        parts += [messages.SUGGEST_SIGNALER_ACTIVITIES, *(shown(a) for a in picks)]
    return "\n\n".join(parts)


def for_resident(activities: Iterable[Activity], pc4: int | None,
                 wanted: frozenset[str]) -> str | None:
    """Activities near ``pc4`` that fit what the person wants (any, if they do not know yet).

    None when the kaart has nothing that fits.
    """
    picks = suggest(activities, pc4, wanted, RESIDENT_ACTIVITIES)
    if not picks:
        return None
    return "\n\n".join([messages.SUGGEST_RESIDENT, *(shown(a, wanted) for a in picks)])


def staff_choices(activities: Iterable[Activity], pc4: int | None,
                  wanted: frozenset[str]) -> list[Activity]:
    """The best matches to pick from: those that fit first, then the nearest others."""
    every = list(activities)
    fitting = suggest(every, pc4, wanted, STAFF_CHOICES)
    others = [a for a in suggest(every, pc4, (), len(every)) if a not in fitting]
    return fitting + others[:STAFF_CHOICES - len(fitting)]
