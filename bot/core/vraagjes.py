"""Conversation-starter cards ("vraagjes"): questions to open a conversation, and picking one.

The questions live in ``vraagjes.toml``; ``load`` checks them. ``pick`` is pure: a seed shuffles
the cards, a counter walks through that order, so every card comes once before any repeats.
"""

from __future__ import annotations

import html
import random
import tomllib
from functools import cache
from pathlib import Path

from bot.core import messages
from bot.core.language import translate

VRAAGJE_CONTEXT = "vraagje"  # a card's context in a language's catalog
VRAAGJES_FILE = Path(__file__).with_name("vraagjes.toml")
QUESTION_MAX = 200  # characters
SEED_MAX = 10_000  # seeds are 0..SEED_MAX-1: small enough for a button's data


class VraagjesError(Exception):
    """A cards file with problems, one line each (``file: problem``)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def load(path: Path = VRAAGJES_FILE) -> tuple[str, ...]:
    """The questions of a cards file: at least one, each a distinct question ending in "?"."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise VraagjesError([f"{path}: {error}"]) from None
    questions = data.get("questions")
    problems = [f"{path}: unknown key {key!r}" for key in data if key != "questions"]
    if not isinstance(questions, list) or not questions:
        raise VraagjesError([*problems, f"{path}: 'questions' must be a list of questions"])
    seen: set[str] = set()
    for number, question in enumerate(questions, 1):
        if not isinstance(question, str) or not question.strip():
            problems.append(f"{path}: question {number} is not a text")
            continue
        if len(question) > QUESTION_MAX:
            problems.append(f"{path}: question {number} is longer than {QUESTION_MAX} "
                            "characters")
        if not question.rstrip().endswith("?"):
            problems.append(f"{path}: question {number} does not end with '?'")
        if question.casefold() in seen:
            problems.append(f"{path}: question {number} is there twice")
        seen.add(question.casefold())
    if problems:
        raise VraagjesError(problems)
    return tuple(question.strip() for question in questions)


@cache
def cards() -> tuple[str, ...]:
    """The built-in cards (loaded once)."""
    return load()


def pick(questions: tuple[str, ...], seed: int, counter: int) -> str:
    """The ``counter``-th card in the order ``seed`` shuffles ``questions`` into."""
    order = list(questions)
    random.Random(seed).shuffle(order)
    return order[counter % len(order)]


def new_seed() -> int:
    """A seed for a new run through the cards."""
    return random.randrange(SEED_MAX)


def card_text(seed: int, counter: int) -> str:
    """A card as a message: the question, and a word on how to ask it."""
    return messages.VRAAGJE.format(
        question=html.escape(translate(VRAAGJE_CONTEXT, pick(cards(), seed, counter))))


def next_counter(counter: int) -> int:
    """The counter of the card after this one (it wraps, so buttons stay short)."""
    return (counter + 1) % len(cards())
