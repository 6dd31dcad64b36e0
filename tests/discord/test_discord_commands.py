"""`/tst` as Discord shows it: names and descriptions in French and English from the same
catalogs as every other text, suggestions while typing, `/tst tz`, and errors that only the
person sees, in their own language."""

from __future__ import annotations

from typing import Any

import pytest
from discord_world import World

from bot.adapters.discord.client import tst_group
from bot.flows.command_table import TABLE
from bot.i18n.catalog import Catalog

ROUND = "trust.barometer"
LOCALES = ("fr", "en-US", "en-GB")
MAX_OPTIONS = 25  # sub-commands and groups per level


def synced_tst(w: World) -> dict[str, Any]:
    return next(c for c in w.fake.commands[str(w.fake.guild_id)] if c["name"] == "tst")


def catalog(w: World, locale: str, key: str) -> str:
    return w.app.renderer.catalog.template(locale, key)  # type: ignore[arg-type]


def french_name(key: str) -> str:
    """The table's French name of a synced command (`round_open` -> `ouvrir`)."""
    head, _, sub = key.partition("_")
    spec = TABLE.spec(head) if sub == "" or TABLE.spec(head).subs else TABLE.spec(key)
    found = spec.sub(sub) if sub else None
    return found.fr if found is not None else spec.fr


def valid_name(name: str) -> bool:
    """Discord's rule for command and option names: 1-32 lower-case letters, digits, - _ '."""
    ok = all(c.isalnum() or c in "-_'" for c in name) and name == name.lower()
    return ok and 1 <= len(name) <= 32


def levels(node: dict[str, Any], key: str = "") -> list[tuple[str, dict[str, Any]]]:
    """(catalog key, synced node) for every sub-command, group and option under `node`."""
    out = []
    for child in node.get("options", []):
        own = "args" if child["type"] == 3 else f"{key}_{child['name']}".strip("_")
        out.append((own, child))
        out += levels(child, own)
    return out


async def test_tst_is_synced_with_french_and_english_names_and_descriptions(world: World) -> None:
    w = world
    tst = synced_tst(w)
    assert tst["name_localizations"]["fr"] == catalog(w, "fr", "discord.cmd.tst")
    assert tst["description_localizations"]["fr"] == catalog(w, "fr", "discord.desc.tst")
    # The safety levers are buttons on Discord (Discord allows 25 sub-commands, all taken).
    assert [o["name"] for o in tst["options"]] == [c.name for c in TABLE if c.slash]
    assert len(tst["options"]) <= MAX_OPTIONS
    for key, node in levels(tst):
        fr, en = node["name_localizations"], node["description_localizations"]
        assert set(fr) == set(LOCALES) == set(en), key
        if key != "args":  # names in French and English, as the command table has them
            assert fr["fr"] == french_name(key), key
            assert fr["en-US"] == fr["en-GB"] == node["name"] == key.split("_")[-1], key
        assert en["fr"] == catalog(w, "fr", f"discord.desc.{key}"), key
        assert en["en-US"] == en["en-GB"] == catalog(w, "en", f"discord.desc.{key}"), key
        assert all(valid_name(n) for n in [node["name"], *fr.values()]), (key, fr)
        assert all(1 <= len(d) <= 100 for d in [node["description"], *en.values()]), key
        assert len(node.get("options", [])) <= MAX_OPTIONS, key


async def test_sibling_names_stay_distinct_in_every_language(world: World) -> None:
    """Discord refuses a sync where two siblings share a name in any locale."""

    def check(node: dict[str, Any]) -> None:
        children = node.get("options", [])
        for locale in LOCALES:
            names = [c.get("name_localizations", {}).get(locale, c["name"]) for c in children]
            assert len(names) == len(set(names)), (node["name"], locale, names)
        for child in children:
            check(child)

    check(synced_tst(world))


async def suggestions(w: World, user: int, path: str, typed: str) -> list[dict[str, Any]]:
    iid = await w.fake.autocomplete(user, path.split(), typed)
    await w.fake.wait_for(lambda: w.fake.interactions[iid].settled())
    return w.fake.choices(iid)


async def test_round_keys_steps_and_timezones_are_suggested_while_typing(started: World) -> None:
    w = started
    rounds = await suggestions(w, w.fac, "round open", "baro")
    assert {c["value"] for c in rounds} >= {ROUND, "subgroups.barometer"}
    assert all("baro" in c["value"] for c in rounds)
    published = await suggestions(w, w.fac, "publish", "trust.")
    assert {c["value"] for c in published} == {"trust.intake", ROUND}
    assert [c["value"] for c in await suggestions(w, w.fac, "step", "confl")] == ["conflict"]
    zones = await suggestions(w, w.people["ana"], "tz", "paris")
    assert [c["value"] for c in zones] == ["Europe/Paris"]
    assert len(await suggestions(w, w.fac, "tz", "")) == 25  # Discord's maximum


async def test_members_of_the_intervention_are_suggested_as_mentions(started: World) -> None:
    w = started
    ana, ben = w.people["ana"], w.people["ben"]
    first = await suggestions(w, w.fac, "groups swap", "@an")
    assert first == [{"name": "@Ana", "value": f"<@{ana}>"}]
    # The words already typed stay; they are shown with names, not raw ids.
    second = await suggestions(w, w.fac, "groups swap", f"<@{ana}> @be")
    assert second == [{"name": "@Ana @Ben", "value": f"<@{ana}> <@{ben}>"}]
    everyone = await suggestions(w, w.fac, "action add", "")
    assert {c["value"] for c in everyone} == {f"<@{u}>" for u in (w.fac, *w.people.values())}
    # Free text is left alone: only a word starting with "@" asks for a person.
    assert await suggestions(w, w.fac, "action add", f"<@{ana}> 2026-06-01 call") == []


async def test_tz_records_the_timezone_discord_does_not_give(started: World) -> None:
    w = started
    ana = w.people["ana"]
    replies = await w.slash(ana, "tz", "America/Montreal")
    assert replies and all(r for r in replies)
    async with w.app.store.unit() as uow:
        state = await uow.find("discord", str(w.fake.guild_id), str(w.fake.channel_id))
    assert state is not None
    assert state.participants[str(ana)].timezone == "America/Montreal"  # type: ignore[index]


def text(w: World, locale: str, key: str, **params: str) -> str:
    """The catalog's message as the bot renders it for a reader of `locale`."""
    policy = w.app.runner.policy
    segments = w.app.renderer.catalog.render(
        locale,  # type: ignore[arg-type]
        key,
        params,
        policy.address_form,
        policy.timezone,
    )
    return "".join(s.text for s in segments)


def shown_to(w: World, iid: int) -> list[dict[str, Any]]:
    """Everything the interaction showed; each must be ephemeral (flags 64)."""
    shown = w.fake.replies(iid)
    assert shown and all(r.get("flags", 0) & 64 for r in shown), shown
    return shown


async def test_a_refusal_is_ephemeral_and_in_the_language_of_whoever_asked(
    started: World,
) -> None:
    w = started
    zoe = w.fake.add_user("zoe")  # not taking part
    for locale, lang in (("en-US", "en"), ("fr", "fr")):
        iid = await w.fake.slash(zoe, ["round", "open"], ROUND, locale=locale)
        await w.settle(iid)
        expected = text(w, lang, "error.facilitator_only")
        assert [r["content"] for r in shown_to(w, iid)] == [expected], locale


async def test_an_unknown_timezone_is_refused_in_the_persons_language(started: World) -> None:
    w = started
    iid = await w.fake.slash(w.people["ben"], ["tz"], "Mars/Olympus")
    await w.settle(iid)
    expected = text(w, "fr", "error.unknown_timezone", tz="Mars/Olympus")
    assert [r["content"] for r in shown_to(w, iid)] == [expected]


async def test_a_closed_rounds_button_says_so_to_that_person_in_their_language(
    started: World,
) -> None:
    w = started
    await w.slash(w.fac, "round open", ROUND)
    ana = w.people["ana"]
    button = next(b for b in w.buttons(ana) if b.endswith(f":answer:{ROUND}"))
    await w.slash(w.fac, "round close", ROUND)
    for locale, lang in (("en-GB", "en"), ("fr", "fr")):
        iid = await w.click(ana, button, locale=locale)
        expected = text(w, lang, "discord.error.round_closed")
        assert [r["content"] for r in shown_to(w, iid)] == [expected], locale


@pytest.mark.parametrize("settings", [{"guild_ids": []}])
async def test_without_guild_ids_tst_is_synced_globally(world: World) -> None:
    w = world
    assert set(w.fake.commands) == {"global"}
    assert [c["name"] for c in w.fake.commands["global"]] == ["tst"]
    replies = await w.slash(w.fac, "start", "Équipe")
    assert replies


async def test_help_suggests_the_commands_by_their_names_in_the_persons_language(
    world: World,
) -> None:
    w = world
    iid = await w.fake.autocomplete(w.fac, ["help"], "tou", locale="fr")
    await w.fake.wait_for(lambda: w.fake.interactions[iid].settled())
    assert [c["value"] for c in w.fake.choices(iid)] == ["tour"]
    iid = await w.fake.autocomplete(w.fac, ["help"], "rou", locale="en-US")
    await w.fake.wait_for(lambda: w.fake.interactions[iid].settled())
    assert [c["value"] for c in w.fake.choices(iid)] == ["round", "groups"]
    (text, *_extras) = await w.slash(w.fac, "help", "tour")
    assert text.startswith("/tst tour ouvrir <tour>") and "Exemples :" in text


def test_suggestions_name_only_commands_of_the_table() -> None:
    """A completer keyed by a name the table does not have (a command renamed there) stops
    the start, rather than leaving that command without suggestions."""

    async def nothing(interaction: Any, current: str) -> list[Any]:
        return []

    async def run(*_args: Any) -> None:
        return None

    catalog = Catalog.load()
    group = tst_group(catalog, run, {"groups swap": nothing, "round": nothing}, TABLE.specs)
    assert group.name == "tst"
    with pytest.raises(ValueError, match="groups swop"):
        tst_group(catalog, run, {"groups swop": nothing}, TABLE.specs)
