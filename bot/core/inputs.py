"""What a person gives the engine: a tap, typed text, a shared contact, a routed postcode.

A channel adapter turns what the person does into one of these ``Input`` values; a button
carries the ``ButtonInput`` it stands for (on a channel without buttons the engine reads typed
text into them, or into a ``Select`` of typed numbers). ``Route`` is where a postcode goes,
looked up by the caller and handed in with the postcode or house number.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Choose:
    """A tapped option of a choice question (or of the summary)."""

    question: str
    value: str


@dataclass(frozen=True)
class Toggle:
    """Tick (``on``) or untick an option of a multi-choice question: idempotent."""

    question: str
    value: str
    on: bool


@dataclass(frozen=True)
class Done:
    """"Klaar" under a multi-choice question."""

    question: str


@dataclass(frozen=True)
class Select:
    """Exactly these options of a multi-choice question, answering it (typed as numbers)."""

    question: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Skip:
    """"Overslaan" under an optional question."""

    question: str


@dataclass(frozen=True)
class EditGroup:
    """A group picked in the "Wijzigen" menu; empty ``group`` returns to the summary."""

    group: str


@dataclass(frozen=True)
class Text:
    """Typed text."""

    text: str


@dataclass(frozen=True)
class SharedContact:
    """A contact shared with the channel's own button."""

    phone: str
    name: str = ""


@dataclass(frozen=True)
class Route:
    """Where a postcode routes to; ``gemeente`` is None when no gemeente is known.

    ``candidates`` (code, name) are set when the area lies in several gemeenten: the
    signaler types the full postcode or picks one. ``needs_house_number``: the full postcode
    is split between gemeenten, so the house number decides (a ``RoutedHouseNumber``).
    """

    on_board: bool
    gemeente: str | None = None
    gemeente_name: str | None = None
    advice: str = ""
    candidates: tuple[tuple[str, str], ...] = ()
    needs_house_number: bool = False


@dataclass(frozen=True)
class RoutedPostcode:
    """A valid postcode together with its route (looked up by the caller)."""

    postcode: str
    route: Route


@dataclass(frozen=True)
class RoutedHouseNumber:
    """A valid house number with the route it gives (for a postcode split between gemeenten)."""

    number: str
    route: Route


@dataclass(frozen=True)
class Unsupported:
    """Something the bot cannot take as an answer (photo, sticker, voice, location...)."""

    what: str


@dataclass(frozen=True)
class Cancel:
    """``/cancel`` or the "Annuleren" button."""


Input = (
    Choose | Toggle | Done | Select | Skip | EditGroup | Text | SharedContact | RoutedPostcode
    | RoutedHouseNumber | Unsupported | Cancel
)
ButtonInput = Choose | Toggle | Done | Skip | EditGroup | Cancel
