"""The tests' own layout: shared code lives in tests/helpers, never in a test module."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(source: str, package: str) -> set[str]:
    """Every module (or module attribute) `source` imports, by its full dotted name.

    Args:
        source: Python source.
        package: The dotted package the source lives in (to resolve relative imports).
    """
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def is_test_module(name: str) -> bool:
    parts = name.split(".")
    return parts[0] == "tests" and any(part.startswith("test_") for part in parts[1:])


def test_no_module_imports_a_test_module() -> None:
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for folder in ("tests", "benchmarks") for path in sorted((ROOT / folder).rglob("*.py"))
        for name in sorted(imported_modules(path.read_text(encoding="utf-8"),
                                            ".".join(path.relative_to(ROOT).parts[:-1])))
        if is_test_module(name)
    ]
    assert offenders == [], "move what they share into tests/helpers/:\n" + "\n".join(offenders)


def test_the_check_sees_every_way_of_importing_a_test_module() -> None:
    source = ("from tests.e2e.test_chaos import Bot\nimport tests.unit.test_engine\n"
              "from tests.integration import test_admin\nfrom .test_settings import GOOD\n"
              "from . import test_poster\nfrom ..e2e.test_fuzz import x\n"
              "from tests.helpers.config import GOOD\nimport tests.harness\n")
    found = {name for name in imported_modules(source, "tests.unit") if is_test_module(name)}
    assert found == {"tests.e2e.test_chaos", "tests.e2e.test_chaos.Bot", "tests.unit.test_engine",
                     "tests.integration.test_admin", "tests.unit.test_settings",
                     "tests.unit.test_settings.GOOD", "tests.unit.test_poster",
                     "tests.e2e.test_fuzz", "tests.e2e.test_fuzz.x"}
