"""CBS's yearly open-data table "buurt, wijk en gemeente voor postcode huisnummer", read.

The release (CC BY) is a ZIP such as ``2024-cbs-pc6huisnr20240801_buurt.zip``: one row per
address, ``PC6;Huisnummer;Buurt2024;Wijk2024;Gemeente2024`` (715 is GM0715), plus name lists
(``gem_2024.csv``, ``gemeenten_2023.csv``, ``gem2022.csv``: ``GM_CODE;GM_NAAM`` or
``Gemeente2024;Gemeentenaam2024``). The ZIP or the address CSV is accepted; delimiter (``;``,
``,``, tab) and year suffix are read from the header.

The file is streamed into compact tables (``Aggregate``: PC6 -> gemeente, house numbers only
for PC6s that span gemeenten, PC4 -> gemeenten with address counts): a fixed array over every
possible PC6 holds its gemeente and the rows of one PC6 are looked at together (CBS sorts by
postcode; an unsorted file costs a second pass).
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import zipfile
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

_SLOTS = 10_000 * 676  # every PC4 times every two-letter suffix
SPLIT = 0xFFFF  # marks a PC6 that spans several gemeenten
_PC6 = re.compile(r"[1-9]\d{3}[A-Z]{2}")
_GEMEENTE_COLUMN = re.compile(r"gemeente_?(\d{4})?")
_NAME_CODE = re.compile(r"(gm_?code|gemcode|gemeente_?code|gemeente)_?(\d{4})?")
_NAME_NAME = re.compile(r"(gm_?naam|gemeente_?naam|naam|name)_?(\d{4})?")
_YEAR_IN_NAME = re.compile(r"(20\d\d)\d{4}")
EXPECTED = "PC6;Huisnummer;Buurt2024;Wijk2024;Gemeente2024"


class CbsFormatError(Exception):
    """The file is not (a valid copy of) the CBS table; the message is one line."""


@dataclass(frozen=True)
class Layout:
    """Where the columns are in a CBS address table."""

    delimiter: str
    pc6: int
    house_number: int
    gemeente: int
    year: int | None


def _fields(first_line: bytes) -> tuple[str, list[str]]:
    """The delimiter and the normalised (lower-case, unquoted) header fields."""
    text = first_line.decode("utf-8-sig", errors="replace").strip("\r\n")
    delimiter = max(";,\t", key=text.count)
    return delimiter, [f.strip().strip('"').strip().lower() for f in text.split(delimiter)]


def table_layout(first_line: bytes) -> Layout | None:
    """The layout of a CBS address table, or None when the header is not one."""
    delimiter, fields = _fields(first_line)
    gemeente = [i for i, f in enumerate(fields) if _GEMEENTE_COLUMN.fullmatch(f)]
    if "pc6" not in fields or "huisnummer" not in fields or not gemeente:
        return None
    year = _GEMEENTE_COLUMN.fullmatch(fields[gemeente[0]]).group(1)  # type: ignore[union-attr]
    return Layout(delimiter, fields.index("pc6"), fields.index("huisnummer"), gemeente[0],
                  int(year) if year else None)


def gemeente_number(text: str) -> int:
    """``"715"``, ``"0715"`` or ``"GM0715"`` -> 715; ValueError when it is none."""
    text = text.strip().strip('"').upper().removeprefix("GM")
    number = int(text)
    if not 0 < number < SPLIT or not text.isdigit():
        raise ValueError(text)
    return number


def read_names(data: bytes) -> dict[int, str] | None:
    """A gemeente list (code and name columns) -> ``{number: name}``; None if it is none."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # CBS's older lists
    lines = text.splitlines()
    if not lines:
        return None
    delimiter, fields = _fields(lines[0].encode())
    code = next((i for i, f in enumerate(fields) if _NAME_CODE.fullmatch(f)), None)
    name = next((i for i, f in enumerate(fields) if _NAME_NAME.fullmatch(f)), None)
    if code is None or name is None or "pc6" in fields:
        return None
    names = {}
    for row in csv.reader(lines[1:], delimiter=delimiter):
        with contextlib.suppress(ValueError, IndexError):
            if row[name].strip():
                names[gemeente_number(row[code])] = row[name].strip()
    return names


@dataclass
class Source:
    """A validated input: the address table (inside a ZIP or not) and the gemeente names."""

    path: Path
    member: str | None
    size: int
    layout: Layout
    names: dict[int, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """``file.zip:member.csv`` or ``file.csv``."""
        return f"{self.path.name}:{self.member}" if self.member else self.path.name

    @property
    def year(self) -> int | None:
        """The year from the header, else from the file name (``pc6hnr20240801``)."""
        match = _YEAR_IN_NAME.search(self.member or self.path.name)
        return self.layout.year or (int(match.group(1)) if match else None)

    @contextlib.contextmanager
    def open(self) -> Iterator[IO[bytes]]:
        """The address table as a binary stream."""
        if self.member is None:
            with self.path.open("rb") as stream:
                yield stream
        else:
            with zipfile.ZipFile(self.path) as archive, archive.open(self.member) as stream:
                yield stream


def open_source(path: Path, names_path: Path | None = None) -> Source:
    """Check the file (the ZIP or the CSV) and read the gemeente names.

    Raises:
        CbsFormatError: not a file, not the CBS table, or an unreadable name list.
    """
    if not path.is_file():
        raise CbsFormatError(f"{path}: no such file")
    if zipfile.is_zipfile(path):
        source = _from_zip(path)
    else:
        with path.open("rb") as stream:
            first = stream.readline(4096)
        layout = table_layout(first) if first else None
        if layout is None:
            found = first.decode("utf-8", errors="replace").strip()[:80]
            raise CbsFormatError(f"{path.name}: not CBS's postcode-huisnummer table (expected a "
                                 f"header like {EXPECTED}, found {found!r})")
        source = Source(path, None, path.stat().st_size, layout)
    if names_path is not None:
        try:
            names = read_names(names_path.read_bytes())
        except OSError as error:
            raise CbsFormatError(f"{names_path}: {error.strerror}") from None
        if names is None:
            raise CbsFormatError(f"{names_path.name}: not a gemeente list (expected columns "
                                 f"like GM_CODE;GM_NAAM or Gemeente2024;Gemeentenaam2024)")
        source.names = names
    return source


def _from_zip(path: Path) -> Source:
    with zipfile.ZipFile(path) as archive:
        tables, seen = [], []
        names: dict[int, str] = {}
        for info in archive.infolist():
            if info.is_dir() or not info.filename.lower().endswith((".csv", ".txt")):
                continue
            seen.append(info.filename)
            with archive.open(info) as stream:
                layout = table_layout(stream.readline(4096))
            if layout is not None:
                tables.append((info.file_size, info.filename, layout))
            elif not names and info.file_size < 5_000_000:
                names = read_names(archive.read(info)) or {}
    if not tables:
        raise CbsFormatError(f"{path.name}: no CBS postcode-huisnummer table in this ZIP "
                             f"(found: {', '.join(seen) or 'no CSV files'})")
    size, member, layout = max(tables)
    return Source(path, member, size, layout, names)


class _Counting(io.RawIOBase):
    """Reports how many bytes were read (for the progress bar)."""

    def __init__(self, raw: IO[bytes], advance: Callable[[int], None]) -> None:
        self._raw, self._advance = raw, advance

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self._raw.readinto(buffer)  # type: ignore[attr-defined]
        if n:
            self._advance(n)
        return n or 0


def pc6_text(key: int) -> str:
    """A PC6 key (see ``Aggregate``) as the postcode it stands for: ``"4531AB"``."""
    pc4, suffix = divmod(key, 676)
    return f"{pc4}{chr(65 + suffix // 26)}{chr(65 + suffix % 26)}"


class Aggregate:
    """What the import keeps of the addresses: bounded by the number of PC6s, not rows."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.gemeente = array("H", bytes(2 * _SLOTS))  # PC6 key -> gemeente number / SPLIT
        self.keys = array("I")  # PC6 keys, first seen first
        self.split_rows: dict[tuple[int, int], int] = {}  # (PC6 key, number) -> gemeente
        self.pc4: dict[tuple[int, int], int] = {}  # (PC4, gemeente) -> addresses
        self.addresses = 0
        self.rescan = False  # a PC6's rows came apart and it is split: read house numbers again
        self._numbers: dict[str, int] = {}

    def _gm(self, text: str) -> int:
        number = self._numbers.get(text)
        if number is None:
            try:
                number = self._numbers[text] = gemeente_number(text)
            except ValueError:
                raise CbsFormatError(f"bad gemeente {text!r}") from None
        return number

    def _key(self, pc6: str) -> int:
        pc6 = pc6.strip().strip('"').replace(" ", "").upper()
        if not _PC6.fullmatch(pc6):
            raise CbsFormatError(f"bad PC6 {pc6!r}")
        return int(pc6[:4]) * 676 + (ord(pc6[4]) - 65) * 26 + ord(pc6[5]) - 65

    def _numbered(self, key: int, group: list[list[str]]) -> list[tuple[int, int]]:
        pairs = []
        for row in group:
            text = row[self.layout.house_number].strip().strip('"')
            if not text.isdigit():
                raise CbsFormatError(f"bad house number {text!r} in {pc6_text(key)}")
            pairs.append((int(text), self._gm(row[self.layout.gemeente])))
        return pairs

    def _add(self, pc6: str, group: list[list[str]], first: str) -> None:
        key, column = self._key(pc6), self.layout.gemeente
        gm, seen, pc4 = self._gm(first), self.gemeente[key], key // 676
        self.addresses += len(group)
        pairs = None
        if any(row[column] != first for row in group):
            pairs = self._numbered(key, group)
            if len({g for _, g in pairs}) == 1:  # differently written, one gemeente
                pairs = None
        if seen == 0:
            self.keys.append(key)
        if pairs is None:
            self.gemeente[key] = gm if seen in (0, gm) else SPLIT
            self.rescan = self.rescan or self.gemeente[key] == SPLIT
            self.pc4[pc4, gm] = self.pc4.get((pc4, gm), 0) + len(group)
            return
        self.gemeente[key] = SPLIT
        self.rescan = self.rescan or seen != 0
        for number, g in pairs:
            self.split_rows[key, number] = g
            self.pc4[pc4, g] = self.pc4.get((pc4, g), 0) + 1

    def _add_split(self, pc6: str, group: list[list[str]], _first: str) -> None:
        key = self._key(pc6)
        if self.gemeente[key] == SPLIT:
            for number, g in self._numbered(key, group):
                self.split_rows[key, number] = g

    def scan(self, raw: IO[bytes], advance: Callable[[int], None], *,
             second_pass: bool = False) -> None:
        """Read every address (or, in the second pass, those of split PC6s)."""
        add = self._add_split if second_pass else self._add
        stream = io.BufferedReader(_Counting(raw, advance), buffer_size=1 << 20)
        reader = csv.reader(io.TextIOWrapper(stream, encoding="latin-1", newline=""),
                            delimiter=self.layout.delimiter)
        next(reader, None)  # the header
        p, g = self.layout.pc6, self.layout.gemeente
        previous, first = "", ""
        group: list[list[str]] = []
        try:
            for row in filter(None, reader):
                pc6 = row[p]
                if pc6 != previous:
                    if group:
                        add(previous, group, first)
                    previous, group, first = pc6, [row], row[g]
                else:
                    group.append(row)
            if group:
                add(previous, group, first)
        except IndexError:
            raise CbsFormatError(f"line {reader.line_num}: too few columns") from None
        except CbsFormatError as error:
            raise CbsFormatError(f"near line {reader.line_num}: {error}") from None
        except csv.Error as error:
            raise CbsFormatError(f"line {reader.line_num}: {error}") from None
