"""The sociale kaart: local activities per gemeente, their interest tags, and suggestions.

Public information about organisations (no personal data). ``suggest`` is pure: the same
activities, postcode and interests give the same suggestions in the same order.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.core import messages

# The fixed vocabulary of interests, in the order they are shown (labels: messages.TAG_LABELS).
TAGS = ("praatje", "samen", "praktisch", "maatje", "koffie", "boodschappen", "vervoer",
        "muziek", "bewegen", "creatief", "digitaal", "eten")
NAME_MAX = 120  # storage.models.kaart.Activity's columns
WHAT_MAX = 300
PLACE_MAX = 120
WHEN_MAX = 120
CONTACT_MAX = 200
PC4_MIN, PC4_MAX = 1000, 9999
SUGGESTIONS = 3


@dataclass(frozen=True)
class Activity:
    """One activity on a gemeente's kaart; ``pc4`` None means the whole gemeente."""

    name: str
    what: str
    pc4: int | None = None
    place: str = ""
    when: str = ""
    contact: str = ""
    tags: frozenset[str] = field(default_factory=frozenset)


def suggest(activities: Iterable[Activity], pc4: int | None, interests: Iterable[str] = (),
            limit: int = SUGGESTIONS) -> list[Activity]:
    """Up to ``limit`` activities for someone at ``pc4`` with these interests.

    With interests, only activities with at least one of them; more shared interests first
    within the same place. Order: the same PC4, then gemeente-wide ones, then the others by
    distance between the PC4 numbers; ties by name.
    """
    wanted = frozenset(interests)
    fitting = [a for a in activities if not wanted or a.tags & wanted]
    return sorted(fitting, key=lambda a: _rank(a, pc4, wanted))[:max(limit, 0)]


def _rank(activity: Activity, pc4: int | None, wanted: frozenset[str]
          ) -> tuple[int, int, int, str, str]:
    if activity.pc4 is not None and activity.pc4 == pc4:
        place, distance = 0, 0
    elif activity.pc4 is None:
        place, distance = 1, 0
    else:
        place = 2
        distance = abs(activity.pc4 - pc4) if pc4 is not None else 0
    shared = len(activity.tags & wanted)
    return place, distance, -shared, activity.name.casefold(), activity.name


def activity_key(name: str) -> str:
    """A short key of an activity's name (any case), for a button: names are too long."""
    return hashlib.sha256(name.casefold().encode()).hexdigest()[:12]


def tag_list(tags: Iterable[str]) -> list[str]:
    """Tags in the vocabulary's order (unknown ones left out)."""
    given = set(tags)
    return [tag for tag in TAGS if tag in given]


def shown(activity: Activity, interests: Iterable[str] = ()) -> str:
    """An activity as a resident reads it; with interests, which of them it fits."""
    where = ", ".join(part for part in (activity.place, str(activity.pc4 or "")) if part)
    lines = [messages.KAART_SUGGESTION.format(name=html.escape(activity.name),
                                              what=html.escape(activity.what))]
    filled = (("where", messages.KAART_WHERE, where), ("when", messages.KAART_WHEN, activity.when),
              ("contact", messages.KAART_CONTACT, activity.contact))
    lines += [template.format(**{key: html.escape(value)}) for key, template, value in filled
              if value]
    fits = tag_list(activity.tags & frozenset(interests))
    if fits:
        lines.append(messages.KAART_FITS.format(
            interests=", ".join(messages.TAG_LABELS[tag] for tag in fits)))
    return "\n".join(lines)
