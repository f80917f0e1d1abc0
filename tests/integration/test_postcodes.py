"""CBS routing data, every routing case, herindeling and re-import, on SQLite and PostgreSQL.

The tests write their own small files in CBS's exact format: the yearly ZIP
(``2024-cbs-pc6huisnr20240801_buurt.zip``) with ``pc6hnr20240801_gwb.csv`` (one row per
address, ``PC6;Huisnummer;Buurt2024;Wijk2024;Gemeente2024``, the gemeente as a plain number)
and the name lists next to it.
"""

from __future__ import annotations

import asyncio
import random
import zipfile
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from bot.cli.main import app as cli
from bot.core.cbs_table import CbsFormatError, open_source, read_names
from bot.core.people import Person
from bot.core.postcodes import import_cbs
from bot.core.routing import (
    MergeError,
    RouteKind,
    merge_gemeenten,
    route,
    route_gemeente,
)
from bot.core.sociale_kaart import Activity
from bot.services import Services
from storage.models import (
    Gemeente,
    HouseNumberRoute,
    NotOnBoard,
    Pc4Gemeente,
    Pc6Route,
    RoutingDataset,
    Staff,
)
from storage.repositories import RoutingRepository
from tests.conftest import TEST_KEY

DEFAULT = "Neem contact op met uw eigen gemeente."
BRAM, FENNA = Person.on_telegram(7101), Person.on_telegram(7102)
NAMES = {715: "Terneuzen", 1714: "Sluis", 917: "Heerlen", 1999: "Parkstad",
         534: "Hillegom"}
Row = tuple[str, int, int]  # PC6, house number, gemeente number


def addresses(pc6: str, numbers: Iterable[int], gemeente: int) -> list[Row]:
    return [(pc6, number, gemeente) for number in numbers]


ROWS_2024: list[Row] = [
    *addresses("2181AA", range(1, 4), 534),  # Hillegom: configured, not on board
    *addresses("4501AA", range(1, 4), 715),  # PC4 4501 spans Terneuzen (3) and Sluis (5)
    *addresses("4501BB", range(1, 6), 1714),
    *addresses("4503AA", range(1, 5), 1714),  # PC4 4503: only Sluis (not on board)
    *addresses("4531AB", range(1, 11), 715),
    *addresses("4532CD", range(1, 5), 715),
    *addresses("4536XY", range(1, 6), 715),  # PC6 4536XY: 1-5 Terneuzen, 6-8 Sluis
    *addresses("4536XY", range(6, 9), 1714),
    *addresses("4540AA", range(1, 4), 715),  # PC4 not in the config: routed by the import
    *addresses("6411AA", range(1, 7), 917),
    *addresses("6412AA", range(1, 4), 917),  # PC4 6412 spans Heerlen and Parkstad
    *addresses("6412AB", range(1, 3), 1999),
    *addresses("6413XX", range(1, 3), 917),  # split between Heerlen and Parkstad
    *addresses("6413XX", range(3, 5), 1999),
]
ROWS_2025: list[Row] = [
    *addresses("4531AB", range(1, 6), 715),
    *addresses("4533EF", range(1, 4), 715),  # new; 4532CD is gone
    *addresses("4536XY", range(1, 9), 715),  # no longer split
    *addresses("6411AA", range(1, 7), 917),
]


def write_cbs(directory: Path, rows: list[Row], *, year: int = 2024, as_zip: bool = True,
              names: dict[int, str] | None = None, sep: str = ";") -> Path:
    """The CBS release: a ZIP with the address table and the name lists, or the bare CSV."""
    directory.mkdir(parents=True, exist_ok=True)
    table = f"pc6hnr{year}0801_gwb.csv"
    lines = [sep.join(["PC6", "Huisnummer", f"Buurt{year}", f"Wijk{year}", f"Gemeente{year}"])]
    lines += [sep.join([pc6, str(number), f"{gm:04d}0101", f"{gm:04d}01", str(gm)])
              for pc6, number, gm in rows]
    body = "\r\n".join(lines) + "\r\n"
    if not as_zip:
        path = directory / table
        path.write_text(body, encoding="latin-1")
        return path
    path = directory / f"{year}-cbs-pc6huisnr{year}0801_buurt.zip"
    gemeenten = names if names is not None else NAMES
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"brt_{year}.csv", f"buurtcode{year};buurtnaam{year}\n07150101;Centrum\n")
        archive.writestr(table, body)
        archive.writestr(f"gem_{year}.csv", f"Gemeente{year};Gemeentenaam{year}\n" + "".join(
            f"{code};{name}\n" for code, name in gemeenten.items()))
        archive.writestr(f"wijk_{year}.csv", f"wijkcode{year};wijknaam{year}\n071501;Wijk 1\n")
    return path


async def routed(services: Services, postcode: str, number: str | None = None) -> tuple:
    pc4, letters = int(postcode[:4]), postcode[4:] or None
    async with services.uow() as uow:
        result = await route(uow, pc4=pc4, letters=letters, house_number=number,
                             default_advice=DEFAULT)
    return (result.kind, result.gemeente_code, result.source,
            [candidate.code for candidate in result.candidates], result.advice)


async def count(services: Services, model: type, **where: object) -> int:
    async with services.sessions() as session:
        query = select(func.count()).select_from(model).filter_by(**where)
        return int(await session.scalar(query) or 0)


async def test_every_routing_case(services: Services, tmp_path: Path) -> None:
    report = await import_cbs(services.uow, write_cbs(tmp_path, ROWS_2024))
    assert (report.addresses, report.pc6, report.split_pc6, report.house_numbers) == (
        len(ROWS_2024), 12, 2, 12)
    assert report.new_gemeenten == ["GM1714", "GM1999"] and report.unnamed == 0
    assert report.year == 2024 and report.passes == 1
    # PC6 + house number: the exceptions of a PC6 split between two gemeenten
    assert await routed(services, "4536XY", "3") == (
        RouteKind.ROUTED, "GM0715", "house_number", [], "")
    assert (await routed(services, "4536XY", "7 B"))[:3] == (
        RouteKind.NOT_ON_BOARD, "GM1714", "house_number")
    assert await routed(services, "4536XY") == (
        RouteKind.NEEDS_HOUSE_NUMBER, None, "pc6", ["GM0715", "GM1714"], DEFAULT)
    assert (await routed(services, "4536XY", "99"))[:4] == (
        RouteKind.AMBIGUOUS, None, "pc6", ["GM0715", "GM1714"])
    # a whole PC6; a PC6 the import does not know falls back to the configured PC4
    assert (await routed(services, "4531AB", "1"))[:3] == (RouteKind.ROUTED, "GM0715", "pc6")
    assert (await routed(services, "4531ZZ", "1"))[:3] == (RouteKind.ROUTED, "GM0715", "config")
    # PC4 only: the configuration is authoritative; else the import
    assert (await routed(services, "4531"))[:3] == (RouteKind.ROUTED, "GM0715", "config")
    assert (await routed(services, "4540"))[:3] == (RouteKind.ROUTED, "GM0715", "pc4_import")
    assert (await routed(services, "4503"))[:3] == (
        RouteKind.NOT_ON_BOARD, "GM1714", "pc4_import")
    # a PC4 spanning two gemeenten: both candidates, most addresses first
    async with services.uow() as uow:
        both = await route(uow, pc4=4501, letters=None, house_number=None,
                           default_advice=DEFAULT)
        picked = await route_gemeente(uow, both.candidates[1].code, default_advice=DEFAULT)
        configured = await route(uow, pc4=4531, letters=None, house_number=None,
                                 default_advice=DEFAULT)
    assert both.kind is RouteKind.AMBIGUOUS and not both.on_board
    assert [tuple(c) for c in both.candidates] == [("GM1714", "Sluis", 5),
                                                   ("GM0715", "Terneuzen", 3)]
    assert picked.on_board and picked.gemeente_name == "Terneuzen"
    assert configured.to_route().on_board and configured.to_route().gemeente == "GM0715"
    asked = both.to_route()
    assert not asked.on_board and asked.advice == DEFAULT
    assert asked.candidates == (("GM1714", "Sluis"), ("GM0715", "Terneuzen"))
    # not on board: the gemeente's own advice; unknown: the default advice
    hillegom = "Bel HLTsamen op 0252-123456."
    assert await routed(services, "2181AA", "2") == (
        RouteKind.NOT_ON_BOARD, "GM0534", "pc6", [], hillegom)
    assert await routed(services, "9999") == (RouteKind.NOT_ON_BOARD, None, "none", [], DEFAULT)
    # the import never changes whether (or how) a known gemeente takes part
    async with services.sessions() as session:
        gemeenten = {g.code: g for g in await session.scalars(select(Gemeente))}
    assert gemeenten["GM0715"].active and gemeenten["GM0715"].backup_chat_ids == [7009]
    assert not gemeenten["GM0534"].active and gemeenten["GM0534"].fallback_advice == hillegom
    assert not gemeenten["GM1714"].active and gemeenten["GM1714"].name == "Sluis"


async def test_wrong_files_get_one_clear_line_and_change_nothing(
        services: Services, tmp_path: Path) -> None:
    names = tmp_path / "gem_2024.csv"
    names.write_text("Gemeente2024;Gemeentenaam2024\n715;Terneuzen\n", encoding="utf-8")
    empty_zip = tmp_path / "other.zip"
    with zipfile.ZipFile(empty_zip, "w") as archive:
        archive.writestr("readme.txt", "nothing here")
    broken = write_cbs(tmp_path / "broken", [*ROWS_2024[:5], ("45X1AB", 1, 715)])
    short = tmp_path / "short.csv"
    short.write_text("PC6;Huisnummer;Buurt2024;Wijk2024;Gemeente2024\n4531AB;1\n")
    cases = {names: "not CBS's postcode-huisnummer table",
             empty_zip: "no CBS postcode-huisnummer table in this ZIP (found: readme.txt)",
             broken: "bad PC6 '45X1AB'", short: "line 2: too few columns",
             tmp_path / "missing.zip": "no such file"}
    for path, expected in cases.items():
        with pytest.raises(CbsFormatError) as error:
            await import_cbs(services.uow, path)
        assert expected in str(error.value) and "\n" not in str(error.value)
    with pytest.raises(CbsFormatError, match="not a gemeente list"):
        open_source(write_cbs(tmp_path, ROWS_2024), names_path=broken)
    assert await count(services, RoutingDataset) == 0
    assert await count(services, Gemeente) == 3  # only the configured ones


def test_header_variants_and_name_lists(tmp_path: Path) -> None:
    # 2023: comma-separated addresses, a tab-separated name list in Windows-1252
    table = write_cbs(tmp_path, ROWS_2025, year=2023, as_zip=False, sep=",")
    source = open_source(table)
    assert (source.layout.delimiter, source.year, source.member) == (",", 2023, None)
    names = "GM_CODE\tGM_NAAM\nGM1900\tSúdwest-Fryslân\nGM0715\tTerneuzen\n".encode("cp1252")
    assert read_names(names) == {1900: "Súdwest-Fryslân", 715: "Terneuzen"}
    assert read_names(b"wijkcode2023;wijknaam2023\n071501;Wijk 1\n") is None
    list_file = tmp_path / "gemeenten_2023.csv"
    list_file.write_bytes(names)
    assert open_source(table, names_path=list_file).names[1900] == "Súdwest-Fryslân"
    zipped = open_source(write_cbs(tmp_path / "z", ROWS_2025, year=2025))
    assert zipped.member == "pc6hnr20250801_gwb.csv" and zipped.names[1714] == "Sluis"


async def test_unsorted_file_gives_the_same_tables(services: Services, tmp_path: Path) -> None:
    shuffled = list(ROWS_2024)
    random.Random(5).shuffle(shuffled)
    report = await import_cbs(services.uow, write_cbs(tmp_path, shuffled, as_zip=False),
                              chunk_rows=3)
    assert report.passes == 2 and (report.pc6, report.split_pc6, report.house_numbers) == (
        12, 2, 12)
    assert report.unnamed == 2  # the bare CSV has no name list: codes stand in
    assert (await routed(services, "4536XY", "8"))[:3] == (
        RouteKind.NOT_ON_BOARD, "GM1714", "house_number")
    assert (await routed(services, "4501"))[3] == ["GM1714", "GM0715"]


async def test_reimport_of_a_newer_year_replaces_the_old_one_at_once(
        services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = await import_cbs(services.uow, write_cbs(tmp_path / "a", ROWS_2024))
    second = await import_cbs(services.uow, write_cbs(tmp_path / "b", ROWS_2025,
                                                           year=2025))
    for model in (Pc6Route, HouseNumberRoute, Pc4Gemeente):
        assert await count(services, model, dataset_id=first.dataset_id) == 0
        assert await count(services, model, dataset_id=second.dataset_id) == (
            0 if model is HouseNumberRoute else {Pc6Route: 4, Pc4Gemeente: 4}[model])
    assert await count(services, HouseNumberRoute) == 0  # 4536XY is no longer split
    assert (await routed(services, "4533EF"))[:3] == (RouteKind.ROUTED, "GM0715", "pc6")
    assert (await routed(services, "4532CD"))[2] == "config"  # gone from the import
    assert (await routed(services, "4536XY"))[:3] == (RouteKind.ROUTED, "GM0715", "pc6")
    assert (await routed(services, "4540"))[0] == RouteKind.NOT_ON_BOARD  # gone too
    async with services.uow() as uow:
        current = await uow.routing.current()
        assert current is not None and (current.id, current.year) == (second.dataset_id, 2025)
        assert len(await uow.routing.list_datasets()) == 2

    # A third import that fails at the switch: readers saw the old data all along, and the
    # half-loaded rows are removed.
    seen_during_load = []
    real_activate = RoutingRepository.activate

    async def failing_activate(self: RoutingRepository, **kwargs: int) -> None:
        seen_during_load.append(await routed(services, "4531AB"))
        seen_during_load.append(await count(services, Pc6Route))
        raise RuntimeError("power cut")

    monkeypatch.setattr(RoutingRepository, "activate", failing_activate)
    with pytest.raises(RuntimeError):
        await import_cbs(services.uow, write_cbs(tmp_path / "c", ROWS_2024, year=2026))
    assert seen_during_load[0][:3] == (RouteKind.ROUTED, "GM0715", "pc6")
    assert seen_during_load[1] == second.pc6 + first.pc6  # both loaded, the old one current
    assert (await routed(services, "4540"))[0] == RouteKind.NOT_ON_BOARD  # still 2025
    assert await count(services, Pc6Route) == second.pc6
    monkeypatch.setattr(RoutingRepository, "activate", real_activate)
    third = await import_cbs(services.uow, write_cbs(tmp_path / "c", ROWS_2024, year=2026))
    assert (await routed(services, "4540"))[2] == "pc4_import"
    assert await count(services, RoutingDataset) == 3 and third.year == 2026


async def seed_heerlen(services: Services) -> dict[str, int]:
    """Heerlen's open and closed signal, a second staff member, Bram also in Parkstad."""
    async with services.uow() as uow:
        bram = await uow.staff.get_active(person=BRAM, gemeente_code="GM0917")
        assert bram is not None
        uow.session.add_all([
            Staff(gemeente_code="GM0917", external_id="7102", name="Fenna", role="team"),
            Staff(gemeente_code="GM1999", external_id="7101", name="Bram", role="team",
                  active=False),
            NotOnBoard(gemeente_code="GM0917")])
        ids = {}
        for status in ("claimed", "closed"):
            signal = await uow.signals.add(
                gemeente_code="GM0917", questionnaire="v1", role="kapper", signs=["alleen"],
                pc4=6411, answers={"postcode": "6411 AA"}, status=status, owner_id=bram.id)
            ids[status] = signal.id
        await uow.drafts.save(channel="telegram", external_id="77", ttl=timedelta(hours=1),
                              expected=None, state={"token": "t", "answers": {
                                  "gemeente": "GM0917", "gemeente_name": "Heerlen"}})
        await uow.commit()
    return ids


async def test_merged_gemeente_takes_routing_staff_and_signals(
        services: Services, tmp_path: Path) -> None:
    cbs = write_cbs(tmp_path, ROWS_2024)
    await import_cbs(services.uow, cbs)
    ids = await seed_heerlen(services)
    assert (await routed(services, "6412AB"))[:2] == (RouteKind.NOT_ON_BOARD, "GM1999")
    await services.kaart.save("GM0917", [Activity("Koor", "Zingen"), Activity("Bus", "Rijden")])
    await services.kaart.save("GM1999", [Activity("koor", "Het koor van Parkstad")])
    async with services.uow() as uow:
        report = await merge_gemeenten(uow, source="GM0917", target="1999")
    assert report.activities == 1  # the kaart: Parkstad's "koor" stays, Heerlen's stays behind
    assert [a.name for a in await services.kaart.activities("GM1999")] == ["Bus", "koor"]
    assert [a.name for a in await services.kaart.activities("GM0917")] == ["Koor"]
    assert report.activated_target and not report.already_merged
    assert (report.pc4_routes, report.alert_chats, report.staff, report.staff_joined) == (
        9, 1, 1, ["Bram"])
    assert (report.open_signals, report.closed_signals, report.not_on_board,
            report.drafts) == (1, 1, 1, 1)
    # routing follows: configured PC4, imported PC6, a PC6 no longer split, PC4 counts
    assert (await routed(services, "6411"))[:3] == (RouteKind.ROUTED, "GM1999", "config")
    assert (await routed(services, "6411AA", "1"))[:3] == (RouteKind.ROUTED, "GM1999", "pc6")
    assert (await routed(services, "6413XX"))[:3] == (RouteKind.ROUTED, "GM1999", "pc6")
    async with services.uow() as uow:
        assert await uow.routing.pc4_candidates(pc4=6412) == [("GM1999", "Parkstad", 5)]
        assert await uow.gemeenten.list_alert_chats(code="GM1999") == [7101]
        assert not (await uow.gemeenten.get(code="GM0917")).active
        bram = await uow.staff.get_active(person=BRAM, gemeente_code="GM1999")
        fenna = await uow.staff.get_active(person=FENNA, gemeente_code="GM1999")
        assert bram is not None and bram.role == "regisseur" and fenna is not None
        assert not await uow.staff.get_active(person=BRAM, gemeente_code="GM0917")
        moved = [await uow.signals.get(signal_id=i) for i in ids.values()]
        assert [(s.gemeente_code, s.owner_id) for s in moved] == [("GM1999", bram.id)] * 2
        assert [s.id for s in await uow.signals.list_open(gemeente_code="GM1999")] == [
            ids["claimed"]]
        draft = await uow.drafts.get(channel="telegram", external_id="77")
        assert draft.state["answers"] == {"gemeente": "GM1999", "gemeente_name": "Parkstad"}
    # idempotent, and clear errors
    async with services.uow() as uow:
        again = await merge_gemeenten(uow, source="GM0917", target="GM1999")
    assert again.already_merged and again.moved == 0 and "nothing left" in again.lines()[0]
    for source, target, message in [
            ("GM0404", "GM1999", "unknown gemeente GM0404"),
            ("GM0715", "GM0404", "unknown gemeente GM0404: import"),
            ("GM0715", "gm715", "into itself"), ("XX1", "GM0715", "not a CBS gemeente code"),
            ("GM0917", "GM0715", "already merged into GM1999"),
            ("GM0715", "GM0917", "was itself merged into GM1999")]:
        async with services.uow() as uow:
            with pytest.raises(MergeError, match=message):
                await merge_gemeenten(uow, source=source, target=target)
    # an older CBS file imported after the herindeling still routes to the new gemeente
    await import_cbs(services.uow, cbs)
    assert (await routed(services, "6413XX"))[:3] == (RouteKind.ROUTED, "GM1999", "pc6")
    assert (await routed(services, "6412"))[:3] == (RouteKind.ROUTED, "GM1999", "config")


async def test_renamed_gemeente_and_dry_run(services: Services) -> None:
    async with services.uow() as uow:
        dry = await merge_gemeenten(uow, source="GM0715", target="GM1998",
                                    target_name="Zeeuws-Vlaanderen", commit=False)
    assert dry.created_target and dry.pc4_routes == 9
    assert (await routed(services, "4531"))[1] == "GM0715"  # a dry run changes nothing
    async with services.uow() as uow:
        done = await merge_gemeenten(uow, source="GM0715", target="GM1998",
                                     target_name="Zeeuws-Vlaanderen")
    assert done.created_target and done.activated_target
    assert (await routed(services, "4531"))[:2] == (RouteKind.ROUTED, "GM1998")


async def test_command_line(db_url: str, tmp_path: Path) -> None:
    env = {"SIGNAALBOT_DATABASE__URL": db_url, "SIGNAALBOT_SECURITY__ENCRYPTION_KEY": TEST_KEY,
           "SIGNAALBOT_CONFIG": None}

    def run(*args: str) -> tuple[int, str, str]:
        result = CliRunner().invoke(cli, list(args), env=env)
        return result.exit_code, result.stdout, result.stderr

    wrong = tmp_path / "gem_2024.csv"
    wrong.write_text("GM_CODE;GM_NAAM\nGM0715;Terneuzen\n")
    code, _, err = await asyncio.to_thread(run, "postcodes", "import", str(wrong))
    assert code == 2 and err.count("\n") == 1 and "not CBS's postcode-huisnummer" in err
    code, out, err = await asyncio.to_thread(
        run, "postcodes", "import", str(write_cbs(tmp_path, ROWS_2024)))
    assert code == 0, err
    assert f"{len(ROWS_2024)} addresses" in out and "2 split" in out
    code, out, _ = await asyncio.to_thread(run, "postcodes", "lookup", "4501")
    assert code == 0 and "ambiguous" in out and "GM1714 Sluis (5 addresses)" in out
    code, out, _ = await asyncio.to_thread(run, "postcodes", "status")
    assert code == 0 and out.startswith("* #1 2024-cbs-pc6huisnr20240801_buurt.zip")
    code, _, err = await asyncio.to_thread(run, "gemeente", "merge", "--from", "GM0404",
                                           "--into", "GM1714")
    assert code == 2 and "unknown gemeente GM0404" in err
    code, out, _ = await asyncio.to_thread(run, "gemeente", "merge", "--from", "GM1999",
                                           "--into", "GM1714")
    assert code == 0 and out.startswith("merged GM1999 into GM1714 Sluis")


async def test_config_apply_does_not_undo_a_merge(services: Services) -> None:
    from bot.core import config_apply
    from bot.core.routing import merge_gemeenten

    async with services.uow() as uow:
        await merge_gemeenten(uow, source="GM0917", target="GM0715")
    async with services.uow() as uow:
        changes = await config_apply.plan(services.settings, uow)
        assert "GM0917: merged into GM0715; its areas go there (remove it from the config)" in (
            changes)
        assert not [c for c in changes if "pc4" in c]  # the successor keeps the merged areas
        await config_apply.apply(services.settings, uow)
    async with services.uow() as uow:
        heerlen = await uow.gemeenten.get(code="GM0917")
        assert heerlen is not None and not heerlen.active
        assert (await uow.gemeenten.get_by_pc4(pc4=6412)).code == "GM0715"


async def start_at_postcode(runner: Any, user: int) -> Any:
    from tests.harness import Person

    person = Person(runner, user)
    await person.command("start")
    await person.tap("Nee", "Kapper")
    return person


async def test_the_conversation_asks_when_an_area_spans_two_gemeenten(
        api: Any, runner: Any, tmp_path: Path) -> None:
    await import_cbs(runner.services.uow, write_cbs(tmp_path, ROWS_2024))
    person = await start_at_postcode(runner, 901)
    await person.say("4501")  # not configured; CBS: Terneuzen and Sluis
    assert "meer dan één gemeente" in person.last
    await person.tap("Terneuzen")  # or type the full postcode
    assert "huisnummer" in person.last.lower()
    await person.say("2")
    assert "opgevallen" in person.last
    typing = await start_at_postcode(runner, 903)
    await typing.say("4501")
    await typing.say("terneuzen")  # the gemeente typed by its name (a channel without buttons)
    assert "huisnummer" in typing.last.lower()

    other = await start_at_postcode(runner, 902)
    await other.say("6413 XX")  # split between Heerlen (1-2) and Parkstad (3-4)
    assert "huisnummer" in other.last.lower()
    await other.say("9")
    assert "niet vinden" in other.last  # CBS knows no number 9 there: check it
    await other.say("3")  # Parkstad does not take part: nothing about the address is kept
    assert "niet) aangesloten" in other.last or "niet aangesloten" in other.last
    async with runner.services.uow() as uow:
        draft = await uow.drafts.get(channel="telegram", external_id="902")
    assert draft is not None and not {"postcode", "house_number"} & draft.state["answers"].keys()
    await other.say("6413 XX")
    await other.say("1")
    assert "opgevallen" in other.last
    async with runner.services.uow() as uow:
        draft = await uow.drafts.get(channel="telegram", external_id="902")
    assert draft is not None and draft.state["answers"]["gemeente"] == "GM0917"
