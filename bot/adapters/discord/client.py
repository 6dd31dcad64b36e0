"""The discord.py client: sharded gateway, the localized `/tst` group and the DynamicItem button."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, cast

import aiohttp
import discord
from discord import app_commands

from bot.adapters.discord import complete
from bot.adapters.discord.handlers import seen
from bot.core.commands import CommandSpec
from bot.i18n.catalog import Catalog

if TYPE_CHECKING:
    from bot.adapters.discord.handlers import Handlers

log = logging.getLogger(__name__)
LOCALES: dict[discord.Locale, str] = {
    discord.Locale.french: "fr",
    discord.Locale.american_english: "en",
    discord.Locale.british_english: "en",
}


class CatalogTranslator(app_commands.Translator):
    """Command names and descriptions from the same catalogs as every other text."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        lang = LOCALES.get(locale)
        if "fr" in string.extras:  # a command's name, from the command table
            return string.extras["fr"] if lang == "fr" else string.message if lang else None
        key = string.extras.get("key")
        if lang is None or key is None or not self.catalog.has(lang, key):  # type: ignore[arg-type]
            return None
        return self.catalog.template(lang, key)  # type: ignore[arg-type]


def _name(key: str, default: str) -> app_commands.locale_str:
    return app_commands.locale_str(default, key="discord.cmd." + key)


def _named(english: str, french: str) -> app_commands.locale_str:
    return app_commands.locale_str(english, fr=french)


def _desc(key: str, catalog: Catalog) -> app_commands.locale_str:
    full = "discord.desc." + key
    # A command added to the grammar before its catalog keys still works, undescribed.
    default = catalog.template("en", full) if catalog.has("en", full) else key.replace("_", " ")
    return app_commands.locale_str(default, key=full)


class StaleOption(app_commands.AppCommandError):
    """An option whose value has another type than the command declares (a client with an
    older copy of the command list)."""


Run = Callable[[discord.Interaction[Any], str], Awaitable[None]]
Complete = Callable[[discord.Interaction[Any], str], Awaitable[list[app_commands.Choice[str]]]]


def _command(
    path: list[str], french: str, catalog: Catalog, run: Run, complete: Complete | None
) -> app_commands.Command[Any, Any, None]:
    key = "_".join(path)

    async def callback(interaction: discord.Interaction[Any], args: str | None = None) -> None:
        if args is not None and not isinstance(args, str):  # discord.py passes it on as sent
            raise StaleOption(f"args of type {type(args).__name__}")
        await run(interaction, " ".join([*path, args or ""]).strip())

    app_commands.describe(args=_desc("args", catalog))(callback)
    app_commands.rename(args=_name("args", "args"))(callback)
    cmd: app_commands.Command[Any, Any, None] = app_commands.Command(
        name=_named(path[-1], french), description=_desc(key, catalog), callback=callback
    )
    if complete is not None:
        cmd.autocomplete("args")(complete)  # type: ignore[arg-type]
    return cmd


def tst_group(
    catalog: Catalog,
    run: Run,
    completers: dict[str, Complete],
    commands: Sequence[CommandSpec[Any]],
) -> app_commands.Group:
    """`/tst` mirrors the command table: one sub-command per command, groups for
    sub-commands, named in French and English as the table names them, and one free `args`
    option whose text follows the same grammar (mentions included). `completers` suggest
    `args` per command ("round") or per sub-command ("groups swap"): each must name one of
    the table, so a command renamed there cannot silently lose its suggestions here."""
    named = {s.name for s in commands} | {f"{s.name} {u.name}" for s in commands for u in s.subs}
    if unknown := sorted(set(completers) - named):
        raise ValueError(f"suggestions for what the command table does not have: {unknown}")
    group = app_commands.Group(name=_name("tst", "tst"), description=_desc("tst", catalog))
    for spec in commands:
        if not spec.slash:
            continue
        complete = completers.get(spec.name)
        if not spec.subs:
            group.add_command(_command([spec.name], spec.fr, catalog, run, complete))
            continue
        sub = app_commands.Group(
            name=_named(spec.name, spec.fr), description=_desc(spec.name, catalog), parent=group
        )
        for each in spec.subs:
            own = completers.get(f"{spec.name} {each.name}", complete)
            sub.add_command(_command([spec.name, each.name], each.fr, catalog, run, own))
    return group


def _help_topics(commands: Sequence[CommandSpec[Any]]) -> Complete:
    """`/tst help <command>`: the commands suggested by their names in the person's language."""

    async def topics(
        interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        french = LOCALES.get(interaction.locale) == "fr"
        return complete.plain(current, [c.fr if french else c.name for c in commands])

    return topics


# Every bot button's custom_id: the core's action id (bot/i18n/render.py).
BUTTON = r"tst:(?P<iid>[^:]+):(?P<action>[a-z_]+):(?P<value>.*)"


class TstButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=BUTTON):
    """Every bot button: the custom_id is the core's action id, so a click still routes after
    a restart or in another process."""

    def __init__(self, iid: str, action: str, value: str) -> None:
        super().__init__(discord.ui.Button(custom_id=f"tst:{iid}:{action}:{value}"))
        self.iid, self.action, self.value = iid, action, value

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> TstButton:
        return cls(match["iid"], match["action"], match["value"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        client = interaction.client
        assert isinstance(client, TstClient)
        async with seen(client.handlers, interaction):
            await client.handlers.button(interaction, self.iid, self.action, self.value)


class TstClient(discord.AutoShardedClient):
    """One process's shards. Everything else lives in `handlers` (thin edges, rule 7)."""

    def __init__(
        self,
        handlers: Handlers,
        catalog: Catalog,
        commands: Sequence[CommandSpec[Any]],
        guild_ids: list[int],
        shard_count: int = 0,
        shard_ids: list[int] | None = None,
        guild_ready_timeout: float = 2.0,
        http_trace: aiohttp.TraceConfig | None = None,
    ) -> None:
        intents = discord.Intents.none()
        intents.guilds = True  # channel and thread cache; interactions need no intent
        intents.dm_messages = True  # a person writing to the bot is answered (never read)
        super().__init__(
            intents=intents,
            shard_count=shard_count or None,
            shard_ids=shard_ids or None,  # type: ignore[arg-type]
            chunk_guilds_at_startup=False,
            guild_ready_timeout=guild_ready_timeout,
            allowed_mentions=discord.AllowedMentions.none(),
            max_ratelimit_timeout=30.0,
            http_trace=http_trace or aiohttp.TraceConfig(),  # an empty trace observes nothing
        )
        self.handlers = handlers
        self.catalog = catalog
        self.commands = commands
        self.guild_ids = guild_ids
        self.tree = TstTree(self)

    async def setup_hook(self) -> None:
        self.add_dynamic_items(TstButton)
        await self.tree.set_translator(CatalogTranslator(self.catalog))
        self.tree.add_command(
            tst_group(
                self.catalog,
                self._command,
                {
                    "round": self.handlers.rounds,
                    "publish": self.handlers.rounds,
                    "step": _steps,
                    "tz": self.handlers.timezones,
                    "groups swap": self.handlers.members,
                    "groups move": self.handlers.members,
                    "action add": self.handlers.members,
                    "help": _help_topics(self.commands),
                },
                self.commands,
            )
        )
        if not self.guild_ids:
            await self.tree.sync()
        for gid in self.guild_ids:
            guild = discord.Object(id=gid)
            self.tree.copy_global_to(guild=guild)
            await self.tree.sync(guild=guild)

    async def _command(self, interaction: discord.Interaction[Any], text: str) -> None:
        async with seen(self.handlers, interaction):
            await self.handlers.command(interaction, text)

    async def on_message(self, message: discord.Message) -> None:
        # Only a person writing in their DM with the bot: its own messages and system
        # messages get nothing (edits are another event, channels another intent).
        person = not message.author.bot and message.type == discord.MessageType.default
        if message.guild is None and person:
            await self.handlers.direct(message)

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        # Modal submissions are routed here by their custom_id, never by an in-memory modal.
        if interaction.type == discord.InteractionType.modal_submit:
            async with seen(self.handlers, interaction):
                await self.handlers.modal(interaction)
        elif interaction.type == discord.InteractionType.component:
            # TstButton takes every component whose custom_id is an action id; any other
            # (a component of an earlier version) would otherwise never be answered.
            data = cast(dict[str, Any], interaction.data or {})
            custom_id = str(data.get("custom_id", ""))
            if not re.fullmatch(BUTTON, custom_id):
                await self.handlers.unreadable(interaction, "a component this bot did not send")


class TstTree(app_commands.CommandTree["TstClient"]):
    """The command tree. A command sent from a stale copy of the command list (a subcommand
    or option the bot no longer has, a value of another type) is answered, not left to fail."""

    async def on_error(
        self, interaction: discord.Interaction[TstClient], error: app_commands.AppCommandError, /
    ) -> None:
        stale = (
            app_commands.CommandNotFound,
            app_commands.CommandSignatureMismatch,
            app_commands.TransformerError,
            StaleOption,
        )
        if isinstance(error, stale):
            await interaction.client.handlers.unreadable(interaction, type(error).__name__)
            return
        await super().on_error(interaction, error)


async def _steps(
    interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    return complete.steps(current)
