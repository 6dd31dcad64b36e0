"""The house plan holds: adapters depend on bot/core, bot/i18n and their platform library only,
and bot/core depends on nothing else of the bot (the import contract of docs/architecture.md)."""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOT = ROOT / "bot"

# What each layer may import of the bot itself; stdlib and third-party imports are free.
ALLOWED: dict[str, tuple[str, ...]] = {
    # Everything else of the bot reaches an adapter through the port for the edge
    # (bot/core/edge.py), which a composition root in bot/wiring hands it.
    "bot.adapters": ("bot.core", "bot.i18n", "bot.adapters"),
    "bot.core": ("bot.core",),
}


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, dotted
    target: str  # the imported module, dotted and absolute
    where: str  # path:line, for the reader of a failure

    def __str__(self) -> str:
        return f"{self.where}: {self.module} imports {self.target}"


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(root: Path, name: str) -> bool:
    path = root.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or path.is_dir()


def imports_of(path: Path, root: Path = ROOT) -> list[Import]:
    """Every import in the file, type-only ones included (a type is a dependency too),
    relative ones made absolute."""
    module = module_name(path, root)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    where = path.relative_to(root)
    found: list[Import] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # `from bot import app` imports the module bot.app; `from bot.app import App` a
            # name of bot.app.
            targets = [
                f"{base}.{alias.name}" if is_module(root, f"{base}.{alias.name}") else base
                for alias in node.names
            ]
        else:
            continue
        found += [Import(module, t, f"{where}:{node.lineno}") for t in dict.fromkeys(targets)]
    return found


def inside(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def breaches(layer: str) -> list[Import]:
    """Imports of the bot's own modules that `layer` may not make."""
    allowed = ALLOWED[layer]
    files = sorted((ROOT / Path(*layer.split("."))).rglob("*.py"))
    return [
        imp
        for path in files
        for imp in imports_of(path)
        if inside(imp.target, "bot") and not any(inside(imp.target, a) for a in allowed)
    ]


def test_the_scan_sees_every_kind_of_import(tmp_path: Path) -> None:
    """The reader of the source is itself checked: plain, from, relative and type-only."""
    edge = tmp_path / "bot" / "adapters" / "slack" / "edge.py"
    edge.parent.mkdir(parents=True)
    for module in ("runtime.py", "app.py", "adapters/memory.py"):
        (tmp_path / "bot" / module).touch()  # names imported `from` a package are modules
    edge.write_text(
        "from typing import TYPE_CHECKING\n"
        "import slack_bolt.async_app\n"
        "from bot import runtime\n"
        "from bot.core.events import CONTROL\n"
        "from .render import payloads\n"
        "from .. import memory\n"
        "if TYPE_CHECKING:\n"
        "    from bot.app import App\n"
        "def later() -> None:\n"
        "    import bot.flows.rounds\n"
    )
    found = {imp.target: imp.where for imp in imports_of(edge, tmp_path)}
    assert found == {
        "typing": "bot/adapters/slack/edge.py:1",
        "slack_bolt.async_app": "bot/adapters/slack/edge.py:2",
        "bot.runtime": "bot/adapters/slack/edge.py:3",
        "bot.core.events": "bot/adapters/slack/edge.py:4",
        "bot.adapters.slack.render": "bot/adapters/slack/edge.py:5",
        "bot.adapters.memory": "bot/adapters/slack/edge.py:6",
        "bot.app": "bot/adapters/slack/edge.py:8",
        "bot.flows.rounds": "bot/adapters/slack/edge.py:10",
    }


def test_adapters_import_only_the_core_the_catalogs_and_their_platform() -> None:
    found = breaches("bot.adapters")
    assert not found, "adapters import what they must not:\n" + "\n".join(map(str, found))


def test_the_core_imports_nothing_else_of_the_bot() -> None:
    found = breaches("bot.core")
    assert not found, "bot/core imports outside itself:\n" + "\n".join(map(str, found))


def test_the_core_knows_no_platform_nor_any_library() -> None:
    """Its ports (the port for the edge too) speak in plain values: the standard library
    and the core itself, no Slack, Discord, HTTP or database type."""
    files = sorted((BOT / "core").rglob("*.py"))
    found = [
        imp
        for path in files
        for imp in imports_of(path)
        if not inside(imp.target, "bot.core")
        and imp.target.partition(".")[0] not in sys.stdlib_module_names
    ]
    assert not found, "bot/core imports a library:\n" + "\n".join(map(str, found))
