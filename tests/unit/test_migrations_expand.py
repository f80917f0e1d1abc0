"""Migrations that old and new workers both survive: expand first, contract releases later.

During a rolling upgrade the workers of release N still run while the schema is already at
release N+1 (docs/operations.md, "Upgrades"). So a migration may add (a nullable column, or
one with a server default; a table; an index) but anything that takes away what running code
may still use (dropping or renaming a column or table, changing a column's type, making it
NOT NULL, removing its default) is a contract step: the module sets ``CONTRACT = True`` and
its docstring says, in a line ``Contract step: ...``, which release stopped using what it
takes away. A NOT NULL column added without a server default is refused outright: the old
workers' inserts would fail. The steps from before Signaalbot ran as several workers (up to
revision 0010) may say "before multi-worker" instead: they are crossed with every worker
stopped.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VERSIONS = ROOT / "storage" / "migrations" / "versions"
LAST_BEFORE_MULTI_WORKER = 10  # revision 0010: the last one written for one process only
DROPS = {"drop_column", "drop_table", "rename_table"}
TAKEN_AWAY_IN_SQL = re.compile(r"\b(DROP\s+(TABLE|COLUMN)|RENAME\s+(TO|COLUMN)|ALTER\s+COLUMN"
                               r"\s+\S+\s+(TYPE|SET\s+NOT\s+NULL|DROP\s+DEFAULT))\b", re.I)
CONTRACT_LINE = re.compile(r"^Contract step: (.+)$", re.M)
NAMES_A_RELEASE = re.compile(r"\brelease \d+\.\d+(\.\d+)?\b")


@dataclass(frozen=True)
class Verdict:
    """What a migration's ``upgrade()`` does that the expand/contract rule cares about."""

    contracts: list[str]  # what it takes away from running code, one line each
    refused: list[str]  # what no migration may do
    declared: bool  # the module sets CONTRACT = True
    contract_line: str | None  # the docstring's "Contract step: ..." line


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((keyword.value for keyword in call.keywords if keyword.arg == name), None)


def _is_constant(node: ast.expr | None, value: object) -> bool:
    return isinstance(node, ast.Constant) and node.value is value


def _strings(node: ast.AST) -> str:
    return " ".join(part.value for part in ast.walk(node)
                    if isinstance(part, ast.Constant) and isinstance(part.value, str))


def _operation(call: ast.Call) -> tuple[list[str], list[str]]:
    """The contract steps and refused changes in one call (``op.x`` or ``batch_op.x``)."""
    if not isinstance(call.func, ast.Attribute):
        return [], []
    name, line = call.func.attr, f"line {call.lineno}"
    contracts: list[str] = []
    refused: list[str] = []
    if name in DROPS:
        contracts.append(f"{line}: {name}")
    elif name == "alter_column":
        for keyword in call.keywords:
            if (keyword.arg in ("new_column_name", "type_")
                    or keyword.arg == "nullable" and _is_constant(keyword.value, False)
                    or keyword.arg == "server_default" and _is_constant(keyword.value, None)):
                contracts.append(f"{line}: alter_column {keyword.arg}="
                                 f"{ast.unparse(keyword.value)}")
    elif name == "add_column":
        for column in call.args:
            default = _keyword(column, "server_default") if isinstance(column, ast.Call) else None
            if (isinstance(column, ast.Call) and _is_constant(_keyword(column, "nullable"), False)
                    and (default is None or _is_constant(default, None))):
                refused.append(f"{line}: add_column NOT NULL without a server_default")
    elif name == "execute" and (sql := TAKEN_AWAY_IN_SQL.search(_strings(call))):
        contracts.append(f"{line}: execute {sql[0]!r}")
    return contracts, refused


def judge(source: str) -> Verdict:
    """The verdict on one migration module's source: all but ``downgrade()`` is judged."""
    module = ast.parse(source)
    contracts: list[str] = []
    refused: list[str] = []
    upgrading = [node for node in module.body
                 if not (isinstance(node, ast.FunctionDef) and node.name == "downgrade")]
    for node in (inner for top in upgrading for inner in ast.walk(top)):
        if isinstance(node, ast.Call):
            found, wrong = _operation(node)
            contracts += found
            refused += wrong
    declared = any(isinstance(node, ast.Assign) and _is_constant(node.value, True)
                   and any(isinstance(target, ast.Name) and target.id == "CONTRACT"
                           for target in node.targets) for node in module.body)
    line = CONTRACT_LINE.search(ast.get_docstring(module) or "")
    return Verdict(contracts, refused, declared, line.group(1) if line else None)


def problems(name: str, verdict: Verdict) -> list[str]:
    """What is wrong with migration ``name`` under the rule (nothing: an empty list)."""
    found = [f"{name}: {wrong} (add it nullable, or with a server_default)"
             for wrong in verdict.refused]
    revision = int(name.split("_", 1)[0])
    may_predate = revision <= LAST_BEFORE_MULTI_WORKER
    if verdict.contracts and not verdict.declared:
        found.append(f"{name}: takes away what running workers may use "
                     f"({'; '.join(verdict.contracts)}) without CONTRACT = True")
    if verdict.declared and not verdict.contracts:
        found.append(f"{name}: CONTRACT = True, but it takes nothing away")
    if verdict.declared and not (verdict.contract_line and (
            NAMES_A_RELEASE.search(verdict.contract_line)
            or may_predate and "before multi-worker" in verdict.contract_line)):
        found.append(f"{name}: a contract step's docstring needs a line 'Contract step: ...' "
                     "naming the release that stopped using what it takes away")
    return found


def test_every_migration_expands_or_declares_itself_a_contract_step() -> None:
    migrations = sorted(VERSIONS.glob("[0-9]*.py"))
    assert migrations, "no migrations found"
    assert [problem for path in migrations
            for problem in problems(path.name, judge(path.read_text(encoding="utf-8")))] == []


def test_the_migrations_before_multi_worker_that_contract_are_the_known_two() -> None:
    contracting = [path.name[:4] for path in sorted(VERSIONS.glob("[0-9]*.py"))
                   if judge(path.read_text(encoding="utf-8")).declared]
    assert [revision for revision in contracting
            if int(revision) <= LAST_BEFORE_MULTI_WORKER] == ["0003", "0005"]


MIGRATION = '''"""{doc}"""
{marker}

def upgrade() -> None:
{body}


def downgrade() -> None:
    op.drop_table("everything")
'''


def verdict_of(body: str, *, doc: str = "a step", marker: str = "") -> list[str]:
    source = MIGRATION.format(doc=doc, marker=marker, body="\n".join(
        "    " + line for line in body.splitlines()))
    return problems("0042_x.py", judge(source))


def test_what_upgrade_calls_is_judged_too() -> None:
    source = MIGRATION.format(doc="x", marker="", body="    _tidy()") + (
        '\n\ndef _tidy() -> None:\n    op.drop_column("s", "a")\n')
    assert problems("0042_x.py", judge(source)) != []


def test_additions_pass_and_the_downgrade_is_not_judged() -> None:
    assert verdict_of('op.create_table("t", sa.Column("id", sa.Integer(), nullable=False))\n'
                      'with op.batch_alter_table("s") as batch_op:\n'
                      '    batch_op.add_column(sa.Column("a", sa.String(), nullable=True))\n'
                      '    batch_op.add_column(sa.Column("b", sa.Integer(), nullable=False,\n'
                      '                                  server_default="0"))\n'
                      '    batch_op.alter_column("c", nullable=True)\n'
                      '    batch_op.drop_index("ix_s_c")\n'
                      'op.execute("UPDATE s SET a = \'x\'")') == []


def test_each_way_of_taking_something_away_needs_the_marker() -> None:
    for body in ('op.drop_column("s", "a")', 'op.drop_table("s")', 'op.rename_table("s", "u")',
                 'with op.batch_alter_table("s") as batch_op:\n    batch_op.drop_column("a")',
                 'op.alter_column("s", "a", new_column_name="b")',
                 'op.alter_column("s", "a", type_=sa.Text())',
                 'op.alter_column("s", "a", existing_type=sa.Text(), nullable=False)',
                 'op.alter_column("s", "a", server_default=None)',
                 'op.execute("ALTER TABLE s DROP COLUMN a")',
                 'op.execute(sa.text(f"ALTER TABLE {t} RENAME TO u"))'):
        assert len(verdict_of(body)) == 1, body
        assert verdict_of(body, marker="CONTRACT = True",
                          doc="a step\n\nContract step: release 0.3 stopped using s.a.") == []


def test_a_contract_step_names_its_release_and_only_old_ones_may_predate_multi_worker() -> None:
    early = "a step\n\nContract step: before multi-worker; every worker stopped."
    assert verdict_of('op.drop_table("s")', marker="CONTRACT = True", doc="a step") != []
    assert verdict_of('op.drop_table("s")', marker="CONTRACT = True", doc=early) != []
    assert problems("0007_x.py", judge(MIGRATION.format(
        doc=early, marker="CONTRACT = True", body='    op.drop_table("s")'))) == []


def test_a_not_null_column_without_a_default_is_refused_even_in_a_contract_step() -> None:
    body = 'op.add_column("s", sa.Column("a", sa.Integer(), nullable=False))'
    assert len(verdict_of(body)) == 1
    assert len(verdict_of(body.replace("))", ", server_default=None))"))) == 1
    assert len(verdict_of(body + '\nop.drop_column("s", "b")', marker="CONTRACT = True",
                          doc="x\n\nContract step: release 0.3 stopped using s.b.")) == 1


def test_a_marker_without_anything_taken_away_is_an_error() -> None:
    assert verdict_of('op.create_table("t")', marker="CONTRACT = True",
                      doc="x\n\nContract step: release 0.3 stopped using s.b.") != []
