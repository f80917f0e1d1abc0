"""Suggestions from the sociale kaart: only what fits, near first, never more than asked."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.core import messages
from bot.core.sociale_kaart import TAGS, Activity, shown, suggest

pc4s = st.one_of(st.none(), st.integers(1000, 9999))
activities = st.lists(st.builds(
    Activity, name=st.text(min_size=1, max_size=8), what=st.just("x"), pc4=pc4s,
    tags=st.frozensets(st.sampled_from(TAGS), max_size=3)),
    max_size=12, unique_by=lambda activity: activity.name.casefold())  # names are unique
interests = st.frozensets(st.sampled_from(TAGS), max_size=3)


def rank(activity: Activity, pc4: int) -> tuple[int, int]:
    if activity.pc4 == pc4:
        return 0, 0
    if activity.pc4 is None:
        return 1, 0
    return 2, abs(activity.pc4 - pc4)


@given(activities, st.integers(1000, 9999), interests, st.integers(0, 5))
def test_suggestions_fit_the_interests_and_come_nearest_first(
        kaart: list[Activity], pc4: int, wanted: frozenset[str], limit: int) -> None:
    found = suggest(kaart, pc4, wanted, limit)
    assert len(found) <= limit
    assert all(activity in kaart for activity in found)
    if wanted:
        assert all(activity.tags & wanted for activity in found)
    ranks = [rank(activity, pc4) for activity in found]
    assert ranks == sorted(ranks)  # same PC4, then gemeente-wide, then by distance
    fitting = [a for a in kaart if not wanted or a.tags & wanted]
    assert len(found) == min(limit, len(fitting))
    left_out = [a for a in fitting if a not in found]
    if found and left_out:  # nothing left out is nearer than what was suggested
        assert min(rank(a, pc4) for a in left_out) >= ranks[-1]


@given(activities, pc4s, interests)
def test_suggestions_do_not_depend_on_the_order_of_the_kaart(
        kaart: list[Activity], pc4: int | None, wanted: frozenset[str]) -> None:
    assert suggest(kaart, pc4, wanted, 5) == suggest(list(reversed(kaart)), pc4, wanted, 5)


def test_the_same_place_first_then_the_whole_gemeente_then_by_distance() -> None:
    far, near = Activity("Ver", "x", 2190, tags=frozenset({"muziek"})), Activity(
        "Dichtbij", "x", 2182, tags=frozenset({"muziek"}))
    everywhere = Activity("Overal", "x", None, tags=frozenset({"muziek", "koffie"}))
    here = Activity("Hier", "x", 2181, tags=frozenset({"muziek"}))
    other = Activity("Anders", "x", 2181, tags=frozenset({"vervoer"}))
    kaart = [far, near, everywhere, here, other]
    assert suggest(kaart, 2181, {"muziek"}) == [here, everywhere, near]
    assert suggest(kaart, 2181, {"muziek"}, 10) == [here, everywhere, near, far]
    assert suggest(kaart, 2181, ())[:2] == [other, here]  # no interests: all, by name
    assert suggest(kaart, 2181, {"eten"}) == []


def test_an_activity_reads_as_a_resident_sees_it_with_its_values_escaped() -> None:
    activity = Activity("Zang <&> zo", "Samen zingen", 2181, place="Dorpshuis",
                        when="dinsdag 10-12 uur", contact="0252-123456",
                        tags=frozenset({"muziek", "samen"}))
    text = shown(activity, {"muziek", "eten"})
    assert text.splitlines() == [
        "<b>Zang &lt;&amp;&gt; zo</b>", "Samen zingen", "📍 Dorpshuis, 2181",
        "🕒 dinsdag 10-12 uur", "📞 0252-123456",
        f"<i>Past bij: {messages.TAG_LABELS['muziek']}</i>"]
    assert shown(Activity("Bus", "Rijdt")).splitlines() == ["<b>Bus</b>", "Rijdt"]


def test_every_tag_has_a_label() -> None:
    assert list(messages.TAG_LABELS) == list(TAGS)
