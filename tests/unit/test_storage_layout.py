"""Storage's shape: repositories one module per aggregate, reached only through the unit of work."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from functools import cached_property
from pathlib import Path

import storage.repositories as repositories
from storage.uow import UnitOfWork

ROOT = Path(__file__).resolve().parents[2]


def test_every_repository_is_exported_and_on_the_unit_of_work() -> None:
    defined = set()
    for module in pkgutil.iter_modules(repositories.__path__):
        loaded = importlib.import_module(f"{repositories.__name__}.{module.name}")
        defined |= {name for name, kind in inspect.getmembers(loaded, inspect.isclass)
                    if name.endswith("Repository") and kind.__module__ == loaded.__name__}
    assert defined <= set(repositories.__all__)
    on_uow = [name for name, value in vars(UnitOfWork).items()
              if isinstance(value, cached_property)]
    assert len(on_uow) == len(defined)


def test_repository_modules_are_small() -> None:
    for path in (ROOT / "storage" / "repositories").glob("*.py"):
        assert len(path.read_text().splitlines()) <= 400, path.name


def test_domain_code_goes_through_repositories() -> None:
    """No module of the bot reaches into the unit of work's session or imports a repository.

    Except the monitoring report, which reads anonymous figures on a session of its own.
    """
    for path in [*(ROOT / "bot").rglob("*.py"), *(ROOT / "handlers").rglob("*.py")]:
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "session":
                raise AssertionError(f"{path.name}:{node.lineno} uses a session")
            if isinstance(node, ast.ImportFrom) and node.module == "storage.repositories":
                names = {alias.name for alias in node.names}
                assert names <= {"MonitoringRepository"}, (
                    f"{path.name}:{node.lineno} imports {names}")
