"""Conversation-starter cards: the file is checked, and a shuffle shows every card once."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.vraagjes import SEED_MAX, VraagjesError, cards, load, next_counter, pick


def test_the_built_in_cards_are_about_twenty_warm_questions() -> None:
    assert 15 <= len(cards()) <= 40
    assert all(card.endswith("?") for card in cards())


@given(st.integers(0, SEED_MAX - 1))
def test_a_shuffle_shows_every_card_once_before_any_again(seed: int) -> None:
    counter, shown = 0, []
    for _ in cards():
        shown.append(pick(cards(), seed, counter))
        counter = next_counter(counter)
    assert sorted(shown) == sorted(cards())
    assert counter == 0 and pick(cards(), seed, counter) == shown[0]


def test_the_same_seed_and_counter_give_the_same_card() -> None:
    assert pick(cards(), 42, 3) == pick(cards(), 42, 3)
    assert len({pick(cards(), seed, 0) for seed in range(50)}) > 1


def test_a_bad_cards_file_names_each_problem(tmp_path: Path) -> None:
    path = tmp_path / "vraagjes.toml"
    path.write_text('questions = ["Hoe gaat het?", "hoe gaat het?", "Geen vraag", 3, '
                    f'"{"x" * 200}?"]\nextra = 1\n', encoding="utf-8")
    with pytest.raises(VraagjesError) as raised:
        load(path)
    assert raised.value.problems == [
        f"{path}: unknown key 'extra'",
        f"{path}: question 2 is there twice",
        f"{path}: question 3 does not end with '?'",
        f"{path}: question 4 is not a text",
        f"{path}: question 5 is longer than 200 characters"]
    path.write_text("questions = [\n", encoding="utf-8")
    with pytest.raises(VraagjesError):
        load(path)
