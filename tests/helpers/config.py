"""Config files for tests: a valid one to vary, and Terneuzen's for the admin commands."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import TEST_KEY

GOOD = f"""
[telegram]
token = "123456:ABCdef-ghi"
[security]
encryption_key = "{TEST_KEY}"
[database]
url = "sqlite+aiosqlite:///x.db"
[[gemeenten]]
code = "GM0715"
name = "Terneuzen"
pc4 = ["4531-4539", "4543"]
alert_chat_ids = [1, -100200]
"""


def write_toml(tmp_path: Path, text: str) -> Path:
    """Writes `text` to ``config.toml`` in `tmp_path`."""
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def write_config(tmp_path: Path, db_url: str, *, escalation: int = 24,
                 telegram: dict[str, str] | None = None) -> Path:
    """Terneuzen with Carine as regisseur, an own thanks text and PostNL's depot.

    Args:
        tmp_path: Where ``config.toml`` goes.
        db_url: The database.
        escalation: Terneuzen's escalation_hours.
        telegram: The ``[telegram]`` section, if any (e.g. token and base_url).
    """
    section = "".join(f'{key} = "{value}"\n' for key, value in (telegram or {}).items())
    return write_toml(tmp_path, f"""
admins = [9999]
{"[telegram]" if telegram else ""}
{section}[database]
url = "{db_url}"
[security]
encryption_key = "{TEST_KEY}"
[[gemeenten]]
code = "GM0715"
name = "Terneuzen"
pc4 = ["4531-4539"]
alert_chat_ids = [7001]
escalation_hours = {escalation}
staff = [{{ telegram_id = 7001, name = "Carine", role = "regisseur" }}]
texts = {{ thanks = "Dank, {{reference}}" }}
[[organisations]]
code = "postnl-tnz"
name = "PostNL depot Terneuzen"
role = "bezorger"
gemeente = "GM0715"
""")
