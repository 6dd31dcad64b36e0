"""The README and docs/ stay inside the repository: every relative link leads to a file (and
heading) that exists, the only sites linked are Slack's and Discord's, every guide is one
click from the README, French is written with French typography, and every `/tst` command
the docs show is one the bot understands."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from deploy_files import markdown_section
from markdown_links import anchors, check, prose, slug

from bot.core.commands import CommandError
from bot.flows.command_table import TABLE

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted((ROOT / "docs").glob("*.md"))
README = ROOT / "README.md"


def test_readme_and_docs_link_only_inside_the_repository_or_to_slack_and_discord() -> None:
    assert DOCS, "docs/ is empty"
    problems = [p for path in (README, *DOCS) for p in check(path, ROOT)]
    assert problems == []


def test_the_link_check_catches_what_it_must(tmp_path: Path) -> None:
    """The checker itself, on a file with one link of each kind."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "there.md").write_text(
        "# Où aller\u00a0?\n", "utf-8"
    )  # no-break space: no hyphen
    page = tmp_path / "docs" / "page.md"
    page.write_text(
        "[ok](there.md#où-aller) [slack](https://api.slack.com/apps) [bad anchor](there.md#x)\n"
        "[gone](missing.md) [escape](../../outside.md) [web](https://example.org/a)\n"
        "<http://discord.com/x> see https://github.com/x and `https://in.code/ok`\n"
        "```\nhttps://in.a.block/ok [x](nowhere.md)\n```\n"
        "[ref]: https://evil.example/\n",
        "utf-8",
    )
    found = {(p.target, p.why) for p in check(page, tmp_path)}
    assert found == {
        ("there.md#x", "no such heading"),
        ("missing.md", "no such file"),
        ("../../outside.md", "leaves the repository"),
        ("https://example.org/a", "outside the repository"),
        ("http://discord.com/x", "outside the repository"),  # https only
        ("https://github.com/x", "outside the repository"),
        ("https://evil.example/", "outside the repository"),
    }


def test_anchors_follow_githubs_rules() -> None:
    assert slug("The `/tst` commands") == "the-tst-commands"
    assert slug("Slack, step by step") == "slack-step-by-step"
    assert slug("Étape 1. Inspirer confiance") == "étape-1-inspirer-confiance"
    assert anchors("# A\n## A\n```\n# not a heading\n```\n") == {"a", "a-1"}


def test_every_doc_is_one_click_from_the_readmes_where_things_are() -> None:
    section = markdown_section(README.read_text("utf-8"), "Where things are")
    linked = {
        (README.parent / target).resolve() for target in re.findall(r"\]\(([^)#]+)", prose(section))
    }
    assert [d.name for d in DOCS if d.resolve() not in linked] == []


FRENCH = ROOT / "docs" / "guide-facilitation.md"
NBSP = "\u00a0\u202f"


def test_the_french_guide_has_no_break_spaces_where_french_puts_them() -> None:
    text = re.sub(r"\]\([^)]*\)", "]", prose(FRENCH.read_text("utf-8")))
    plain_space = re.findall(r".{0,20} [:;?!»].{0,5}|.{0,5}« .{0,20}", text)
    glued = re.findall(rf".{{0,20}}[^\s{NBSP}][:;?!»].{{0,5}}|.{{0,5}}«[^\s{NBSP}]", text)
    assert plain_space == [], "a normal space can break the line before : ; ? ! »"
    assert glued == [], "French puts a (no-break) space before : ; ? ! » and after «"
    assert re.search(f"[{NBSP}][:;?!]", text)


def commands_shown(path: Path) -> list[str]:
    """The `/tst …` commands a doc shows, in code spans and code blocks."""
    text = path.read_text("utf-8")
    spans = [m.group(1) for m in re.finditer(r"`(/tst [^`]*)`", text)]
    lines = re.findall(r"^/tst .*$", text, re.M)
    return spans + lines


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_every_tst_command_the_docs_show_is_understood(path: Path) -> None:
    shown = commands_shown(path)
    assert shown
    refused: list[tuple[str, str]] = []
    for command in shown:
        try:
            TABLE.parse(command.removeprefix("/tst "))
        except CommandError as error:
            refused.append((command, error.key))
    assert refused == []
