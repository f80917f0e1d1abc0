"""The message catalog holds all Dutch text: none outside it, none missing, none unused.

Dutch is recognised by a heuristic on string literals with a space in them (an f-string as its
fixed parts): two or more Dutch words, or one and no English word. The Dutch words are frequent
function words and words of the bot's trade that are no English words ("gemeente" is left out:
English code and messages use it as the name of the thing). Docstrings, comments and
identifiers (no space) are not text the bot shows.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.core import messages
from bot.core.messages import admin, common, conversation, kaart, reporting, signal, staff, web

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "bot" / "core" / "messages"
CODE = ("bot", "handlers", "storage")  # where the bot's text could hide
USERS = (*CODE, "tests", "benchmarks")  # where ``messages.X`` is read
MODULES = (admin, common, conversation, kaart, reporting, signal, staff, web)

DUTCH = frozenset(
    "de het een van niet uw u je en op voor geen zijn wordt naar bij nog al dat dit er ook aan "
    "te om tot als wat wie wilt heeft deze mijn ik wij kunt "
    "signaal signalen melder melders weken dagen dag uur uren jaar kwartaal organisatie "
    "organisaties gewist afgerond opgepakt ontvangen toegewezen herinnering notitie vraag "
    "antwoord nieuw behandeling doorverwezen bereikbaar minder laatste onbekende overig "
    "mediaan".split())
ENGLISH = frozenset(
    "the a an of to in is are was be been not no for with and or as by on at it its from this "
    "that has have can cannot must only one when what which who any all none each than then "
    "there into out more other some such use used new set get see give".split())
# Dutch that stays where it is, each with its reason (matched on the whole literal).
ALLOWED = {
    # The licence attribution of the CBS data set, its Dutch title as CBS publishes it.
    "Bron: CBS, buurt, wijk en gemeente voor postcode huisnummer (CC BY 4.0)",
}


def python_files(*tops: str) -> Iterator[Path]:
    for top in tops:
        for path in sorted((ROOT / top).rglob("*.py")):
            if "migrations" not in path.parts and ".venv" not in path.parts:
                yield path


def docstrings(tree: ast.AST) -> set[int]:
    kinds = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    return {id(node.body[0].value) for node in ast.walk(tree)
            if isinstance(node, kinds) and node.body and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)}


def literals(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """Every string literal, an f-string as its fixed parts joined (``{}`` for a value)."""
    skip = docstrings(tree)
    parts = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            parts.update(id(value) for value in node.values)
            yield node.lineno, "".join(value.value if isinstance(value, ast.Constant) else "{}"
                                       for value in node.values)
    for node in ast.walk(tree):
        if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                and id(node) not in skip and id(node) not in parts):
            yield node.lineno, node.value


def is_dutch(text: str) -> bool:
    if not re.search(r"\s", text.strip()):
        return False  # an identifier, code or file name
    words = re.findall(r"[a-zà-ÿ]+", text.lower())
    dutch = sum(word in DUTCH for word in words)
    return dutch >= 2 or (dutch == 1 and not any(word in ENGLISH for word in words))


def dutch_outside_catalog() -> list[str]:
    found = []
    for path in python_files(*CODE):
        if CATALOG in path.parents:
            continue
        for line, text in literals(ast.parse(path.read_text(encoding="utf-8"))):
            if is_dutch(text) and text not in ALLOWED:
                found.append(f"{path.relative_to(ROOT)}:{line}: {text!r}")
    return found


def messages_read(*tops: str) -> dict[str, list[str]]:
    """``X`` of every ``messages.X`` in the code, with where it is read."""
    read: dict[str, list[str]] = {}
    for path in python_files(*tops):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id == "messages"):
                read.setdefault(node.attr, []).append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return read


def defined(module: object) -> list[str]:
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))  # type: ignore[attr-defined]
    names = [target.id for node in tree.body if isinstance(node, ast.Assign)
             for target in node.targets if isinstance(target, ast.Name)]
    names += [node.name for node in tree.body if isinstance(node, ast.FunctionDef)]
    return [name for name in names if not name.startswith("_")]


@pytest.mark.parametrize(("text", "dutch"), [
    ("Dank u wel, uw antwoord is doorgegeven.", True),
    ("laatste {} weken: wk {} t/m {}", True),
    ("Vraag aan melder: {}", True),
    ("{} d {} u", True),
    ("Contact gelegd", False),  # no word the heuristic knows: its limit
    ("unknown gemeente {}", False),
    ("{} new gemeenten added, not on board until configured", False),
    ("Signalen voor niet-aangesloten gemeenten", True),
    ("an active gemeente needs at least one alert chat", False),
    ("open_van_voor_periode", False),
    ("Neem contact op met het sociaal wijkteam", True),
])
def test_the_heuristic_tells_dutch_from_english_and_codes(text: str, dutch: bool) -> None:
    assert is_dutch(text) is dutch


def test_no_dutch_text_outside_the_catalog() -> None:
    assert dutch_outside_catalog() == []


def test_every_message_read_in_the_code_exists() -> None:
    missing = {name: where for name, where in messages_read(*USERS).items()
               if not hasattr(messages, name)}
    assert missing == {}


def test_every_message_in_the_catalog_is_used() -> None:
    used = set(messages_read(*CODE))
    for module in MODULES:  # texts the catalog's own helpers and other texts use
        tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
        used |= {node.id for node in ast.walk(tree)
                 if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
    unused = sorted(name for module in MODULES for name in module.__all__ if name not in used)
    assert unused == []


def test_each_module_exports_what_it_defines_and_no_name_twice() -> None:
    seen: dict[str, str] = {}
    for module in MODULES:
        assert sorted(module.__all__) == sorted(defined(module)), module.__name__
        for name in module.__all__:
            assert name not in seen, f"{name} in {seen.get(name)} and {module.__name__}"
            seen[name] = module.__name__
            assert getattr(messages, name) is getattr(module, name)


def test_catalog_modules_stay_small() -> None:
    for path in CATALOG.glob("*.py"):
        assert len(path.read_text(encoding="utf-8").splitlines()) <= 400, path.name


# Texts that name /start and are shown only where it can be typed, each with its reason.
CHAT_ONLY = {
    "CONSOLE_COMMANDS": "the terminal demo's command list",
    "CONSOLE_NEXT": "the terminal demo",
    "SIGNAL_CALL": "a Signal call",
    "FEEDBACK_BY_KIND": "feedback pushed to a chat; the web chat gets none",
}


def test_the_web_rewords_every_notice_that_names_start() -> None:
    """The web chat has no commands: each notice that says "/start" has its web wording."""
    naming = {name for module in MODULES for name in module.__all__
              if name != "WEB_REWORDED" and "/start" in str(getattr(module, name))}
    reworded = {name for name in naming if isinstance(getattr(messages, name), str)
                and getattr(messages, name) in messages.WEB_REWORDED}
    assert naming - reworded == set(CHAT_ONLY)
    assert not any("/" in text for text in messages.WEB_REWORDED.values())
