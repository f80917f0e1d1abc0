"""Questionnaire files (TOML): load them, and report each problem with its file and line.

A file with ``id`` and ``groups`` is a questionnaire of a ``kind`` (``signaal`` unless it says
otherwise), which decides the markers it needs; a ``deur`` questionnaire is one ``door`` question
whose options each open another questionnaire. A file with ``title`` holds a gemeente's extra
questions, asked after routing to that gemeente, before the summary. ``tomllib`` keeps
no positions, so ``_line_index`` reads the lines of tables, keys and option values itself.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

from bot.core.questionnaire import (
    GEMEENTE,
    REMEMBERED,
    REQUIRED_MARKERS,
    Absent,
    AllOf,
    AnyOf,
    Condition,
    Equals,
    Kind,
    Marker,
    Option,
    Question,
    Questionnaire,
    ReportKind,
)

LABEL_MAX = 64  # characters: longer button texts are cut off in Telegram's apps
ID_MAX = 24  # characters: ids and values travel in a button's callback data
EXTRA_ID_MAX = ID_MAX - len("GM0000_")  # an extra question's id gets its gemeente's code
SUMMARY_VALUES = {"send", "edit", "cancel"}
EXTRA_KINDS = (Kind.CHOICE, Kind.MULTI, Kind.TEXT)
_TOP = {"id", "kind", "groups", "questions"}
_EXTRA_TOP = {"title", "questions"}
_GROUP = {"id", "label"}
_QUESTION = {"id", "kind", "text", "options", "when", "optional", "max_chars", "summary",
             "group", "personal", "steering", "counted", "marker"}
_OPTION = {"value", "label", "exclusive", "ends", "grants", "opens", "via_chat"}
_CONDITION = ({"question", "in"}, {"absent"}, {"any"}, {"remembered"})

Path_ = tuple[str | int, ...]


class QuestionnaireError(Exception):
    """A questionnaire file with problems, one line each (``file:line: problem``)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _line_index(text: str) -> dict[Path_, int]:
    """The line of each table (``("questions", 2)``), key and option value in a TOML text."""
    index: dict[Path_, int] = {}
    counts: Counter[str] = Counter()
    table: Path_ = ()
    in_string = False
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not in_string:
            if match := re.match(r"\[\[\s*([\w.]+)\s*\]\]", stripped):
                table = (match[1], counts[match[1]])
                counts[match[1]] += 1
                index[table] = number
            elif match := re.match(r"([\w-]+)\s*=", stripped):
                index.setdefault((*table, match[1]), number)
            for value in re.findall(r'\bvalue\s*=\s*"([^"]*)"', line):
                index.setdefault((*table, "options", value), number)
        if line.count('"""') % 2:
            in_string = not in_string
    return index


class _Reader:
    """Builds a questionnaire from parsed TOML, collecting problems with their lines."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = _line_index(text)
        self.problems: list[str] = []
        self.values: dict[str, tuple[str, ...]] = {}  # option values by question id, as written
        self.group_ids: set[str] | None = None  # None: groups are not checked

    def problem(self, where: Path_, message: str) -> None:
        for end in range(len(where), 0, -1):
            if where[:end] in self.lines:
                line = self.lines[where[:end]]
                break
        else:
            line = 1
        self.problems.append(f"{self.path}:{line}: {message}")

    def unknown(self, data: dict[str, Any], known: set[str], where: Path_) -> None:
        for key in data:
            if key not in known:
                self.problem((*where, key), f"unknown key {key!r}")

    def groups(self, data: list[Any]) -> tuple[tuple[str, str], ...]:
        groups = []
        for number, group in enumerate(data):
            where: Path_ = ("groups", number)
            self.unknown(group, _GROUP, where)
            if not _valid(group.get("id"), ID_MAX):
                self.problem(where, "a group needs an id (letters, digits, _ or -)")
            elif not group.get("label"):
                self.problem(where, f"group {group['id']}: missing label")
            else:
                groups.append((group["id"], group["label"]))
        return tuple(groups)

    def question(self, number: int, data: dict[str, Any], id_max: int,
                 kinds: tuple[Kind, ...]) -> Question | None:
        where: Path_ = ("questions", number)
        self.unknown(data, _QUESTION, where)
        qid = str(data.get("id", ""))
        if not _valid(qid, id_max):
            self.problem((*where, "id"), f"question {number + 1}: missing or invalid id "
                         f"(letters, digits, _ or -, at most {id_max})")
            return None
        try:
            kind = Kind(data.get("kind", ""))
        except ValueError:
            kind = None
        if kind not in kinds:
            self.problem((*where, "kind"), f"{qid}: kind must be one of "
                         f"{', '.join(kinds)}, not {data.get('kind')!r}")
            return None
        if not str(data.get("text", "")).strip():
            self.problem((*where, "text"), f"{qid}: missing text")
        group = str(data.get("group", ""))
        if group and self.group_ids is not None and group not in self.group_ids:
            self.problem((*where, "group"), f"{qid}: unknown group {group!r}")
        options = self.options(qid, kind, data.get("options", []), where)
        max_chars = data.get("max_chars", 0)
        if kind is Kind.TEXT and not (isinstance(max_chars, int) and max_chars > 0):
            self.problem((*where, "max_chars"), f"{qid}: a text question needs max_chars")
        marker = data.get("marker", "")
        if marker and marker not in tuple(Marker):
            self.problem((*where, "marker"), f"{qid}: unknown marker {marker!r}; "
                         f"one of {', '.join(Marker)}")
        question = Question(
            qid, kind, str(data.get("text", "")), options,
            optional=bool(data.get("optional", False)), max_chars=int(max_chars),
            summary=str(data.get("summary", "")), group=str(data.get("group", "")),
            personal=bool(data.get("personal", False)),
            steering=bool(data.get("steering", False)),
            counted=bool(data.get("counted", False)), marker=marker)
        if question.counted and (kind not in (Kind.CHOICE, Kind.MULTI) or question.personal):
            self.problem((*where, "counted"), f"{qid}: only answers to choice questions that "
                         "are not personal are counted")
        return question

    def options(self, qid: str, kind: Kind, data: list[Any], where: Path_) -> tuple[Option, ...]:
        if kind not in (Kind.CHOICE, Kind.DOOR, Kind.MULTI, Kind.SUMMARY):
            if data:
                self.problem((*where, "options"), f"{qid}: a {kind} question has no options")
            return ()
        if not data:
            self.problem(where, f"{qid}: missing options")
        options = []
        for item in data:
            value = str(item.get("value", ""))
            at = (*where, "options", value) if value else (*where, "options")
            self.unknown(item, _OPTION, at)
            label = str(item.get("label", ""))
            if not _valid(value, ID_MAX):
                self.problem(at, f"{qid}: an option needs a value (letters, digits, _ or -, "
                             "at most 24)")
                continue
            if not label:
                self.problem(at, f"{qid}: option {value}: missing label")
            elif len(label) > LABEL_MAX:
                self.problem(at, f"{qid}: option {value}: label too long for a button "
                             f"({len(label)} characters, at most {LABEL_MAX})")
            opens = str(item.get("opens", ""))
            if (kind is Kind.DOOR) != bool(opens):
                self.problem(at, f"{qid}: option {value}: " + (
                    "a door's option names the questionnaire it opens (opens = ID)"
                    if kind is Kind.DOOR else "only a door's options open a questionnaire"))
            options.append(Option(value, label, exclusive=bool(item.get("exclusive", False)),
                                  ends=bool(item.get("ends", False)),
                                  grants=bool(item.get("grants", False)), opens=opens,
                                  via_chat=bool(item.get("via_chat", False))))
        if options and all(option.via_chat for option in options):
            self.problem(where, f"{qid}: a channel that cannot send later needs an option "
                         "without via_chat")
        values = [option.value for option in options]
        for value, count in Counter(values).items():
            if count > 1:
                self.problem((*where, "options", value), f"{qid}: option {value} twice")
        if kind is Kind.SUMMARY and not {"send"} <= set(values) <= SUMMARY_VALUES:
            self.problem((*where, "options"), f"{qid}: a summary's options are send, and "
                         "optionally edit and cancel")
        return tuple(options)

    def condition(self, data: Any, where: Path_, known: dict[str, Question],
                  rename: dict[str, str]) -> Condition | None:
        """A ``when`` table as a condition; its references are checked against ``known``."""
        qid = where[-1]
        at = ("questions", where[1], "when")
        keys = set(data) if isinstance(data, dict) else set()
        if keys not in _CONDITION:
            self.problem(at, f"{qid}: unknown condition {data!r}; use {{ question = ID, in = "
                         "[VALUES] }, { absent = ID }, { any = [CONDITIONS] } or "
                         "{ remembered = ID }")
            return None
        if "any" in keys:
            parts = [self.condition(part, where, known, rename) for part in data["any"]]
            return AnyOf(tuple(p for p in parts if p)) if all(parts) else None
        target = str(data.get("question", data.get("absent", data.get("remembered", ""))))
        if "absent" in keys and target in (REMEMBERED, GEMEENTE):
            return Absent(target)
        if "remembered" in keys:  # the role question comes after the one that confirms it
            if not self.values.get(target):
                self.problem(at, f"{qid}: dangling condition: no choice question {target!r}")
                return None
            return Equals(REMEMBERED, self.values[target])
        question = known.get(rename.get(target, target))
        if question is None:
            self.problem(at, f"{qid}: dangling condition: no question {target!r} before it")
            return None
        if "absent" in keys:
            return Absent(question.id)
        values = tuple(str(value) for value in data.get("in", ()))
        for value in values:
            option = question.option(value)
            if question.options and option is None:
                self.problem(at, f"{qid}: dangling condition: {target} has no option {value!r}")
                return None
            if option is not None and option.ends:
                self.problem(at, f"{qid}: unreachable: {target} = {value} ends the conversation")
        if not values:
            self.problem(at, f"{qid}: unreachable: the condition on {target} lists no values")
        return Equals(question.id, values)

    def questions(self, data: list[Any], id_max: int, kinds: tuple[Kind, ...], *,
                  prefix: str = "", gate: Condition | None = None) -> list[Question]:
        """The questions in order; a condition may only look at questions before it."""
        known: dict[str, Question] = {}
        rename: dict[str, str] = {}
        questions: list[Question] = []
        self.values = {str(item.get("id")): tuple(str(option.get("value")) for option in
                                                  item.get("options", ()))
                       for item in data if isinstance(item, dict)}
        for number, item in enumerate(data):
            if not isinstance(item, dict):
                self.problem(("questions", number), f"question {number + 1}: not a table")
                continue
            question = self.question(number, item, id_max, kinds)
            if question is None:
                continue
            where: Path_ = ("questions", number, question.id)
            if question.id in rename:
                self.problem(("questions", number, "id"), f"{question.id}: id used twice")
                continue
            if prefix:
                rename[question.id] = prefix + question.id
                question = replace(question, id=prefix + question.id)
            when = self.condition(item["when"], where, known, rename) if "when" in item else None
            if any(q.kind is Kind.SUMMARY for q in questions):
                self.problem(("questions", number), f"{where[-1]}: unreachable: it comes "
                             "after the summary")
            when = AllOf((gate, when)) if gate and when else gate or when
            text = question.text.replace("{max_chars}", str(question.max_chars))
            question = replace(question, when=when, text=text)
            known[question.id] = question
            rename.setdefault(str(where[-1]), question.id)
            questions.append(question)
        return questions


def _valid(value: object, most: int) -> bool:
    return isinstance(value, str) and re.fullmatch(rf"[A-Za-z0-9_-]{{1,{most}}}", value) is not None


def _parse(path: Path) -> tuple[_Reader, dict[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise QuestionnaireError([f"{path}: cannot read: {error.strerror}"]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:  # its message names the line
        raise QuestionnaireError([f"{path}: malformed TOML: {error}"]) from None
    return _Reader(path, text), data


def is_extras(path: str | Path) -> bool:
    """Whether the file holds a gemeente's extra questions (it has a ``title``)."""
    return "title" in _parse(Path(path))[1]


def load(path: str | Path, *, description_max_chars: int | None = None) -> Questionnaire:
    """A questionnaire file; ``description_max_chars`` overrides its description's limit.

    Raises:
        QuestionnaireError: with every problem found.
    """
    reader, data = _parse(Path(path))
    reader.unknown(data, _TOP, ())
    if not _valid(data.get("id"), ID_MAX):
        reader.problem(("id",), "missing or invalid questionnaire id")
    groups = reader.groups(data.get("groups", []))
    reader.group_ids = {group for group, _ in groups}
    items = data.get("questions", [])
    if description_max_chars is not None:
        items = [{**item, "max_chars": description_max_chars}
                 if item.get("marker") == Marker.DESCRIPTION else item for item in items]
    kind: ReportKind | None = ReportKind.SIGNAAL
    try:
        kind = ReportKind(data.get("kind", ReportKind.SIGNAAL))
    except ValueError:
        reader.problem(("kind",), f"unknown kind {data.get('kind')!r}; one of "
                       f"{', '.join(ReportKind)}")
        kind = None  # its markers are not checked
    questions = reader.questions(items, ID_MAX, tuple(Kind))
    markers = Counter(item.get("marker") for item in items if isinstance(item, dict))
    for marker in REQUIRED_MARKERS[kind] if kind else ():
        if markers[marker] != 1:
            reader.problem(("id",), f"exactly one question must be marked {marker.value!r}, "
                           f"not {markers[marker]}")
    doors = [question for question in questions if question.kind is Kind.DOOR]
    if kind is ReportKind.DEUR:
        if len(doors) != 1 or len(questions) != 1:
            reader.problem(("id",), "a door questionnaire is one question of kind \"door\"")
    elif doors:
        reader.problem(("id",), f"{doors[0].id}: only a door questionnaire "
                       "(kind = \"deur\") has a door question")
    elif not any(question.kind is Kind.SUMMARY for question in questions):
        reader.problem(("id",), "the last question must be the summary (kind = \"summary\")")
    if reader.problems or kind is None:
        raise QuestionnaireError(reader.problems)
    return Questionnaire(str(data["id"]), tuple(questions), groups, kind)


def load_extras(path: str | Path, code: str) -> tuple[tuple[str, str], tuple[Question, ...]]:
    """A gemeente's extra questions: their edit group and the questions, asked only there.

    Ids become ``<code>_<id>``; free-text answers are personal; choice answers that are not
    personal are counted for the monitoring export.

    Raises:
        QuestionnaireError: with every problem found.
    """
    reader, data = _parse(Path(path))
    reader.unknown(data, _EXTRA_TOP, ())
    if not str(data.get("title", "")).strip():
        reader.problem(("title",), "missing title (the name of these questions in the summary)")
    items = [item for item in data.get("questions", []) if isinstance(item, dict)]
    for number, item in enumerate(items):
        for key in ("marker", "steering"):
            if key in item:
                reader.problem(("questions", number, key), f"{item.get('id')}: extra questions "
                               f"take no {key}")
    questions = [
        replace(question, group=code, personal=question.personal or question.kind is Kind.TEXT,
                counted=question.kind is not Kind.TEXT and not question.personal,
                marker="", steering=False)
        for question in reader.questions(items, EXTRA_ID_MAX, EXTRA_KINDS, prefix=f"{code}_",
                                         gate=Equals(GEMEENTE, (code,)))]
    if not questions:
        reader.problem(("title",), "no questions")
    if reader.problems:
        raise QuestionnaireError(reader.problems)
    return (code, str(data["title"])), tuple(questions)


def check(path: str | Path) -> list[str]:
    """Every problem of a questionnaire or extra-questions file (empty: none)."""
    try:
        if is_extras(path):
            load_extras(path, "GM0000")
        else:
            load(path)
    except QuestionnaireError as error:
        return error.problems
    return []
