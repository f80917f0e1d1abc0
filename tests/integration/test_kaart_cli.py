"""The sociale kaart from the command line, on SQLite and PostgreSQL: all or nothing."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.cli import invoke_in_thread as cli
from tests.helpers.config import write_config

KAART = (
    "\ufeffnaam;wat;pc4;plaats;wanneer;contact;tags\r\n"
    "Koffie-ochtend;Koffie en een praatje;4531;Buurthuis;dinsdag 10-12 uur;0115-123456;"
    "koffie,praatje\r\n"
    "Zangkoor;Samen zingen;;;woensdag 19 uur;www.koor.nl;muziek;samen\r\n"
    "Wandelclub;Samen wandelen;4536;;zaterdag 10 uur;;bewegen,samen\r\n"
)


async def test_import_list_add_remove_and_suggest(db_url: str, tmp_path: Path) -> None:
    config = write_config(tmp_path, db_url)
    kaart = tmp_path / "kaart.csv"
    kaart.write_bytes(KAART.encode())
    code, out, err = await cli(config, "kaart", "import", str(kaart), "-g", "GM0715")
    assert (code, out, err) == (0, "GM0715: 3 added, 0 updated, 0 removed\n", "")

    code, out, err = await cli(config, "kaart", "list", "-g", "GM0715")
    assert code == 0 and err == ""
    assert out.splitlines() == [
        "Koffie-ochtend\t4531\tBuurthuis\tdinsdag 10-12 uur\t0115-123456\tpraatje,koffie",
        "Wandelclub\t4536\t\tzaterdag 10 uur\t\tsamen,bewegen",
        "Zangkoor\twhole gemeente\t\twoensdag 19 uur\twww.koor.nl\tsamen,muziek"]

    code, out, err = await cli(config, "kaart", "suggest", "-g", "GM0715", "--postcode",
                               "4531 AB", "--interest", "samen")
    assert code == 0 and err == ""
    assert out.splitlines() == [
        "1. Zangkoor", "   Samen zingen", "   🕒 woensdag 19 uur", "   📞 www.koor.nl",
        "   Past bij: Samen iets doen",
        "2. Wandelclub", "   Samen wandelen", "   📍 4536", "   🕒 zaterdag 10 uur",
        "   Past bij: Samen iets doen"]

    code, out, err = await cli(config, "kaart", "add", "-g", "GM0715", "--naam", "zangkoor",
                               "--wat", "Zingen <met> elkaar", "--pc4", "4533",
                               "--tags", "Muziek")
    assert (code, out, err) == (0, "GM0715: updated zangkoor\n", "")
    code, out, _ = await cli(config, "kaart", "suggest", "-g", "GM0715", "--postcode", "4533",
                             "--interest", "muziek,koffie", "--limit", "1")
    assert out.splitlines()[:3] == ["1. zangkoor", "   Zingen <met> elkaar", "   📍 4533"]

    code, out, err = await cli(config, "kaart", "remove", "-g", "GM0715", "WANDELCLUB")
    assert (code, out, err) == (0, "GM0715: removed Wandelclub\n", "")
    code, _, err = await cli(config, "kaart", "remove", "-g", "GM0715", "Wandelclub")
    assert code == 1 and err == ('signaalbot: GM0715 has no activity "Wandelclub"; '
                                 "`signaalbot kaart list -g GM0715` shows them\n")

    kaart.write_text("naam,wat,tags\nTaalcafé,Nederlands oefenen,praatje\n", encoding="utf-8")
    code, out, err = await cli(config, "kaart", "import", str(kaart), "-g", "GM0715",
                               "--replace")
    assert (code, out) == (0, "GM0715: 1 added, 0 updated, 2 removed\n")
    code, out, _ = await cli(config, "kaart", "list", "-g", "GM0715")
    assert out == "Taalcafé\twhole gemeente\t\t\t\tpraatje\n"


async def test_a_file_with_problems_imports_nothing_and_names_them_all(
        db_url: str, tmp_path: Path) -> None:
    config = write_config(tmp_path, db_url)
    kaart = tmp_path / "kaart.csv"
    kaart.write_text(KAART + "Koffie-ochtend;Nog eens;12345;;;;koffie\r\nBus;Rijdt;;;;;bus\r\n",
                     encoding="utf-8")
    code, out, err = await cli(config, "kaart", "import", str(kaart), "-g", "GM0715")
    assert code == 1 and out == ""
    assert err.splitlines() == [
        f"signaalbot: {kaart}: nothing imported, 3 problem(s):",
        'regel 5: kolom pc4: "12345" is geen postcodegebied: vier cijfers van 1000 tot en met '
        "9999, of leeg voor de hele gemeente",
        'regel 5: kolom naam: "Koffie-ochtend" staat al op regel 2',
        'regel 6: kolom tags: onbekende tag "bus"; de tags zijn: praatje, samen, praktisch, '
        "maatje, koffie, boodschappen, vervoer, muziek, bewegen, creatief, digitaal, eten"]
    code, out, _ = await cli(config, "kaart", "list", "-g", "GM0715")
    assert code == 0 and out.startswith("GM0715 has no activities yet")


async def test_mistakes_are_one_line_each(db_url: str, tmp_path: Path) -> None:
    config = write_config(tmp_path, db_url)
    code, _, err = await cli(config, "kaart", "list", "-g", "GM9999")
    assert (code, err) == (1, "signaalbot: unknown gemeente GM9999\n")
    code, _, err = await cli(config, "kaart", "import", str(tmp_path / "nope.csv"), "-g",
                             "GM0715")
    assert code == 1 and err == (f"signaalbot: cannot read {tmp_path / 'nope.csv'}: "
                                 "No such file or directory\n")
    code, _, err = await cli(config, "kaart", "add", "-g", "GM0715", "--naam", "X",
                             "--wat", "Y", "--tags", "muzik", "--pc4", "999")
    assert code == 1 and err.splitlines() == [
        'signaalbot: --pc4: "999" is geen postcodegebied: vier cijfers van 1000 tot en met '
        "9999, of leeg voor de hele gemeente",
        'signaalbot: --tags: onbekende tag "muzik" (bedoelt u "muziek"?); de tags zijn: '
        "praatje, samen, praktisch, maatje, koffie, boodschappen, vervoer, muziek, bewegen, "
        "creatief, digitaal, eten"]
    code, _, err = await cli(config, "kaart", "suggest", "-g", "GM0715", "--postcode", "45",
                             "--interest", "muziek")
    assert code == 2 and err == (
        'signaalbot: "45" is no postcode: four digits, then perhaps two letters\n')
    code, _, err = await cli(config, "kaart", "suggest", "-g", "GM0715", "--postcode", "4531",
                             "--interest", "golf")
    assert code == 2 and err.startswith("signaalbot: unknown interest golf; the interests are")
    code, out, _ = await cli(config, "kaart", "suggest", "-g", "GM0715", "--postcode", "4531")
    assert code == 0 and out == "no suggestions: no activity of GM0715 has been added yet\n"
