"""The README's command table is the command table: printed by `tst commands`, compared here."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from bot.cli import app
from bot.command_doc import command_table_markdown, readme_section
from bot.flows.command_table import TABLE
from bot.i18n.catalog import Catalog

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_readme_table_is_the_one_the_command_table_prints() -> None:
    printed = CliRunner().invoke(app, ["commands"])
    assert printed.exit_code == 0
    section = readme_section(README.read_text("utf-8"))
    assert section, "the README has lost its generated command table"
    assert section == printed.output.rstrip("\n"), "run `tst commands` and paste it in README.md"


def test_every_command_and_sub_command_has_its_row_in_both_languages() -> None:
    rows = command_table_markdown(TABLE, Catalog.load()).splitlines()[3:-1]
    assert len(rows) == len(TABLE.specs)
    for spec, row in zip(TABLE, rows, strict=True):
        english, french, who, _what = row.strip("| ").split(" | ")
        assert english.startswith(f"`{spec.name}") and french.startswith(f"`{spec.fr}"), row
        for sub in spec.subs:
            assert sub.name in english and sub.fr in french, (spec.name, sub.name)
        assert ("facilitator" in who) == ("facilitator" in spec.whos()), row
