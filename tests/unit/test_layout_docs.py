"""The maps of the code in README.md and docs/architecture.md match the tree."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPLICATION = ("bot", "handlers", "storage")


def tree(markdown: str, heading: str | None = None) -> dict[str, bool]:
    """The paths of the first fenced block (after ``heading``): path -> has listed children.

    A path at the start of a line is relative to the project; one indented by two spaces is
    relative to the folder above it; deeper indents continue a description.
    """
    if heading is not None:
        markdown = markdown[markdown.index(heading):]
    block = re.search(r"```\n(.*?)```", markdown, re.S)
    assert block, "no fenced block"
    paths: dict[str, bool] = {}
    folder = ""
    for line in block.group(1).splitlines():
        if match := re.match(r"(\S+)", line):
            path = match.group(1)
            folder = path if path.endswith("/") else ""
        elif (match := re.match(r" {2}(\S+)", line)) and folder:
            path = folder + match.group(1)
            paths[folder] = True
        else:
            continue
        paths.setdefault(path, False)
    return paths


def modules() -> list[str]:
    return sorted(
        str(path.relative_to(ROOT)) for top in APPLICATION for path in (ROOT / top).rglob("*.py")
        if path.name not in ("__init__.py", "__main__.py") and "migrations" not in path.parts)


def covered(module: str, paths: dict[str, bool]) -> bool:
    """Listed itself, or inside a folder listed without its modules (summarised)."""
    return module in paths or any(
        module.startswith(path) for path, itemised in paths.items()
        if path.endswith("/") and not itemised)


def test_the_module_map_lists_every_module_and_only_what_exists() -> None:
    paths = tree((ROOT / "docs" / "architecture.md").read_text(encoding="utf-8"))
    assert [path for path in paths if not (ROOT / path).exists()] == []
    assert [module for module in modules() if not covered(module, paths)] == []


def test_readmes_tree_shows_every_package_and_only_what_exists() -> None:
    paths = tree((ROOT / "README.md").read_text(encoding="utf-8"), "## How it is built")
    assert [path for path in paths if not (ROOT / path).exists()] == []
    packages = sorted(f"{path.relative_to(ROOT)}/" for top in ("bot", "handlers")
                      for path in (ROOT / top).iterdir() if (path / "__init__.py").exists())
    assert [package for package in packages if package not in paths] == []


def test_the_parser_reads_nesting_and_summaries() -> None:
    paths = tree("```\nbot/core/   the core\n  engine.py  walks\n             on\nstorage/  x\n```")
    assert paths == {"bot/core/": True, "bot/core/engine.py": False, "storage/": False}
    assert covered("storage/uow.py", paths) and not covered("bot/core/alerts.py", paths)
