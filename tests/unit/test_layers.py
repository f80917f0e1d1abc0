"""The core knows no channel and no SQLAlchemy: checked on every module under bot/core."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "bot" / "core"
# Never loaded by the core, not even through another module (a channel, the ORM).
NEVER_LOADED = ("telegram", "handlers", "sqlalchemy")
# Never imported by a core module itself, except for type checking: these and the composition
# root's other layers.
NEVER_IMPORTED = (*NEVER_LOADED, "storage", "bot.cli", "bot.reporting", "bot.services")


def _core_modules() -> list[str]:
    """Every module under bot/core by its dotted name, packages included (walked, not listed)."""
    names = []
    for path in sorted(CORE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


# Imports each module in turn in a fresh interpreter and reports, for every forbidden package
# that appeared, the first module whose import brought it in (and the module it arrived as).
_PROBE = """
import importlib, json, sys
forbidden = tuple(sys.argv[1].split(","))
culprits = {}
for name in sys.argv[2:]:
    importlib.import_module(name)
    for loaded in list(sys.modules):
        top = loaded.partition(".")[0]
        if top in forbidden and top not in culprits:
            culprits[top] = [name, loaded]
print(json.dumps(culprits))
"""


def _first_loaders(modules: list[str]) -> dict[str, list[str]]:
    """Per forbidden package loaded: the module that brought it in, and what arrived as."""
    done = subprocess.run([sys.executable, "-c", _PROBE, ",".join(NEVER_LOADED), *modules],
                          cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_no_core_module_loads_a_channel_or_sqlalchemy() -> None:
    modules = _core_modules()
    assert "bot.core.intake" in modules and "bot.core.questionnaires.loader" in modules
    culprits = _first_loaders(modules)
    assert not culprits, "; ".join(f"importing {name} loads {loaded}"
                                   for name, loaded in culprits.values())


def test_the_load_check_names_the_module_that_brought_it_in() -> None:
    culprits = _first_loaders(["bot.core.workflow", "storage.uow", "handlers.console.chat"])
    assert culprits["sqlalchemy"][0] == "storage.uow"
    assert culprits["handlers"] == ["handlers.console.chat", "handlers"]


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _runtime_imports(tree: ast.AST) -> list[tuple[int, str]]:
    """Every module a tree imports when it runs: at the top, in functions, not for typing."""
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _forbidden(module: str) -> bool:
    return any(module == name or module.startswith(f"{name}.") for name in NEVER_IMPORTED)


def test_core_modules_import_no_channel_storage_or_outer_layer() -> None:
    problems = []
    for path in sorted(CORE.rglob("*.py")):
        for line, module in _runtime_imports(ast.parse(path.read_text(), str(path))):
            if _forbidden(module):
                problems.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert not problems, "\n".join(problems)


def test_the_import_check_sees_imports_in_functions_but_not_for_type_checking() -> None:
    tree = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from storage.uow import UnitOfWork\n"
        "else:\n"
        "    import handlers.console.chat\n"
        "def f():\n"
        "    from sqlalchemy import select\n"
        "    import telegram.ext, json\n")
    assert [m for _, m in _runtime_imports(tree) if _forbidden(m)] == [
        "handlers.console.chat", "sqlalchemy", "telegram.ext"]
    assert not _forbidden("storagebox") and _forbidden("bot.cli.main") and _forbidden("storage")
