"""What someone can do next: general activities for signalers, fitting ones for residents,
and staff's list to pick from (fitting first, then the nearest others)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.core import messages, vraagjes
from bot.core.sociale_kaart import TAGS, Activity
from bot.core.suggestions import (
    SIGNALER_ACTIVITIES,
    STAFF_CHOICES,
    for_resident,
    for_signaler,
    interests,
    staff_choices,
)

KOFFIE = Activity("Koffie-ochtend", "Koffie in het buurthuis", 4531, tags=frozenset({"koffie"}))
KOOR = Activity("Koor", "Samen zingen", None, tags=frozenset({"muziek", "samen"}))
FIETS = Activity("Fietsmaatje", "Samen fietsen", 4536, tags=frozenset({"bewegen", "maatje"}))
VER = Activity("Praatcafé", "Een praatje", 4599, tags=frozenset({"praatje"}))


def test_interests_are_the_tags_among_the_counted_answers() -> None:
    assert interests({"zm_wens": ["praatje", "samen"]}) == {"praatje", "samen"}
    assert interests({"zm_wens": ["weet_niet"]}) == frozenset()
    assert interests({"vw_wat": ["muziek"], "vw_vaak": "wekelijks"}) == {"muziek"}
    assert interests(None) == frozenset()


def test_a_signaler_gets_a_vraagje_and_general_activities_nearest_first() -> None:
    text = for_signaler([FIETS, VER, KOOR, KOFFIE], 4531, seed=7)
    assert text.startswith(vraagjes.card_text(7, 0))
    assert messages.SUGGEST_SIGNALER_ACTIVITIES in text
    assert text.index("Koffie-ochtend") < text.index("Koor")  # same PC4 first
    assert "Fietsmaatje" not in text  # not a general way to meet people
    assert "Praatcafé" not in text  # only two
    assert SIGNALER_ACTIVITIES == 2


def test_a_signaler_gets_only_the_vraagje_when_the_kaart_is_empty() -> None:
    text = for_signaler([], 4531, seed=7)
    assert vraagjes.card_text(7, 0) in text
    assert messages.SUGGEST_SIGNALER_ACTIVITIES not in text


def test_a_resident_gets_what_fits_or_nothing() -> None:
    text = for_resident([KOFFIE, KOOR, FIETS], 4536, frozenset({"bewegen"}))
    assert text is not None and "Fietsmaatje" in text and "Koor" not in text
    assert for_resident([KOFFIE], 4531, frozenset({"muziek"})) is None
    assert for_resident([], 4531, frozenset()) is None
    anything = for_resident([KOFFIE], 4531, frozenset())  # "weet ik nog niet"
    assert anything is not None and "Koffie-ochtend" in anything


pc4s = st.one_of(st.none(), st.integers(1000, 9999))
kaarts = st.lists(st.builds(
    Activity, name=st.text(min_size=1, max_size=8), what=st.just("x"), pc4=pc4s,
    tags=st.frozensets(st.sampled_from(TAGS), max_size=3)),
    max_size=12, unique_by=lambda activity: activity.name.casefold())


@given(kaarts, st.integers(1000, 9999), st.frozensets(st.sampled_from(TAGS), max_size=3))
def test_staff_choices_put_what_fits_first_and_fill_up_with_the_rest(
        kaart: list[Activity], pc4: int, wanted: frozenset[str]) -> None:
    found = staff_choices(kaart, pc4, wanted)
    assert len(found) == min(len(kaart), STAFF_CHOICES)
    assert len(set(found)) == len(found) and all(a in kaart for a in found)
    fits = [bool(a.tags & wanted) or not wanted for a in found]
    assert fits == sorted(fits, reverse=True)  # every fitting one before any other
