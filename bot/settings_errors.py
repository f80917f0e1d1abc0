"""One line for a configuration error: the dotted key, where it came from, what is wrong."""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

CONFIG_ENV = "SIGNAALBOT_CONFIG"
ENV_PREFIX = "SIGNAALBOT_"

Loc = tuple[str | int, ...]


def _table(annotation: Any) -> type[BaseModel] | None:
    """The model of a field that is a table, or a list of tables."""
    if get_origin(annotation) is list:
        annotation = get_args(annotation)[0]
    return annotation if isinstance(annotation, type) and issubclass(
        annotation, BaseModel) else None


def _model_at(root: type[BaseModel], path: Loc) -> type[BaseModel] | None:
    model: type[BaseModel] | None = root
    for part in path:
        if isinstance(part, str) and model is not None:
            field = model.model_fields.get(part)
            model = _table(field.annotation) if field else None
    return model


def _env_name(path: Loc) -> str:
    return ENV_PREFIX + "__".join(str(part) for part in path).upper()


def _settings_paths(model: type[BaseModel], path: Loc = ()) -> list[Loc]:
    """Every setting that has an environment variable of its own (tables within tables)."""
    paths: list[Loc] = []
    for name, field in model.model_fields.items():
        table = _table(field.annotation)
        if table is not None and get_origin(field.annotation) is not list:
            paths += _settings_paths(table, (*path, name))
        else:
            paths.append((*path, name))
    return paths


def did_you_mean(word: str, choices: Iterable[str], shown: Callable[[str], str] = str) -> str:
    """"did you mean …?" with the choice closest to ``word``; without one, all choices."""
    choices = list(choices)
    close = difflib.get_close_matches(word, choices, n=1)
    return (f"did you mean {shown(close[0])}?" if close
            else f"one of {', '.join(map(shown, choices))}")


def _in_toml(toml_file: str, path: Loc) -> bool:
    try:
        node: Any = tomllib.loads(Path(toml_file).read_text(encoding="utf-8"))
        for part in path:
            node = node[part]
    except (KeyError, IndexError, TypeError, OSError, tomllib.TOMLDecodeError):
        return False
    return True


def _env_source(path: Loc) -> str | None:
    """The environment variable that set ``path`` (or a table around it), if one did."""
    names = {name.upper() for name in os.environ}
    for end in range(len(path), 0, -1):
        if _env_name(path[:end]) in names:
            return _env_name(path[:end])
    return None


def describe(error: ValidationError, root: type[BaseModel]) -> str:
    """The first error as one line: the dotted key, where it came from, what is wrong."""
    first = error.errors()[0]
    path: Loc = tuple(first["loc"])
    env = _env_source(path)
    toml_file = os.environ.get(CONFIG_ENV)
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        model = _model_at(root, path[:-1])
        fields = list(model.model_fields) if model else []
        shown = (lambda name: _env_name((*path[:-1], name))) if env else str
        message = f"unknown key; {did_you_mean(str(path[-1]), fields, shown)}"
    line = f"{'.'.join(str(part) for part in path) or 'config'}: {message}"
    if env:
        return f"{line} (from {env})"
    return f"{line} (in {toml_file})" if toml_file and _in_toml(toml_file, path) else line


def stray_environment(root: type[BaseModel]) -> str | None:
    """A ``SIGNAALBOT_`` variable that begins with a setting's name but names none.

    ``SIGNAALBOT_TELEGRAM_TOKEN`` (one underscore) would be ignored; other tools' variables
    (``SIGNAALBOT_CONFIG``, the tests' own) begin with no setting's name and are left alone.
    """
    known = {_env_name(path) for path in _settings_paths(root)}
    for name in sorted(name.upper() for name in os.environ):
        if name in known:
            continue
        for section in root.model_fields:
            start = _env_name((section,)) + "_"
            if name.startswith(start) and not name.startswith(start + "_"):
                section_names = sorted(known_name for known_name in known
                                       if known_name.startswith(start))
                return (f"{name}: not a setting (a section and its key are joined by two "
                        f"underscores); {did_you_mean(name, section_names)}")
    return None
