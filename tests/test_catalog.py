"""The message catalogs, as a specification.

Every text the bot can show lives in `bot/i18n/fr.toml` and `bot/i18n/en.toml`. These tests say
what must hold for them:

1. both catalogs load, and hold exactly the same keys with the same `{placeholders}`;
2. a familiar-address variant `<key>@tu` exists only in French, next to its base key, with the
   same placeholders;
3. every key the code can ask for exists: a static extractor reads `bot/**/*.py` for literal keys
   (`Message("...")`, `ctx.reply("...")`, `ctx.refuse("...")`, `CommandError("...")`, button
   labels, `catalog.text/render(..., "...")`) and expands the f-string keys (`f"decision.{x}"`)
   from the flow and the model; the flow itself adds its prompts, rounds, steps and options;
4. a template only uses placeholders its callers provide;
5. every template renders with dummy parameters;
6. French typography is consistent (one kind of space before « : ; ? ! », guillemets with spaces).
"""

from __future__ import annotations

import ast
import re
import tomllib
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.core.conflicts import SpacePhase
from bot.core.effects import UserText, When
from bot.core.model import (
    FLAG_REASONS,
    LOCALES,
    STEP_KINDS,
    VISIBILITIES,
    ActionItem,
    BoardKind,
    ConsentState,
    ContractVersion,
)
from bot.core.vocabulary import DECISIONS
from bot.flows.space_view import LoopStand, WrittenKind
from bot.flows.tst import tst_flow
from bot.i18n.catalog import TRANSLATED_PARAMS, Catalog, placeholders
from bot.reports.audit import AUDITED

ROOT = Path(__file__).resolve().parents[1]
BOT = ROOT / "bot"
I18N = BOT / "i18n"
FLOW = tst_flow()
TU = "@tu"

# Keys in the code are identifiers joined by dots (round keys bring their own dots).
KEY_SHAPE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
# Parameters every Message rendered by the renderer receives, whatever its call site passes.
RENDERER_PARAMS = frozenset({"k", "anonymity", "days", "facilitator", "facilitator_count"})

BOARD_KINDS: tuple[str, ...] = typing.get_args(BoardKind)
BOARD_STATUSES = (
    "open",
    "shortlisted",
    "adopted",
    "rework",
    "parked",
    "consented",
    "objected",
    "superseded",
)
CONTRACT_STATUSES: tuple[str, ...] = typing.get_args(
    typing.get_type_hints(ContractVersion)["status"]
)
ACTION_STATUSES: tuple[str, ...] = typing.get_args(typing.get_type_hints(ActionItem)["status"])
STATIC_OPTIONS = tuple(
    dict.fromkeys(o for p in FLOW.prompts().values() if p.options_from is None for o in p.options)
)

# How each f-string key found in the code expands: the pattern (holes written `{}`) and the
# values its holes take. An f-string key missing here fails the extractor test loudly.
# The conflict spaces' forms (bot/i18n/note_forms.py): a position, the needs, a restatement,
# a "not quite".
SPACE_FORMS = ("space.positions", "space.needs", "space.crestate", "space.notquite")
DYNAMIC: dict[str, tuple[str, ...]] = {
    "error.round_needs_items.{}": tuple(
        r.key for s in FLOW.steps for r in s.rounds if r.needs_items
    ),
    "contract.show.{}": CONTRACT_STATUSES,
    "decision.{}": tuple(dict.fromkeys(DECISIONS.values())),
    "round.{}.title": FLOW.round_keys(),
    "round.{}.intro": FLOW.round_keys(),
    "prompt.{}": tuple(FLOW.prompts()),
    "option.{}": STATIC_OPTIONS,
    "step.{}.name": STEP_KINDS,
    "step.{}.intro": STEP_KINDS,
    "visibility.{}.label": VISIBILITIES,
    "visibility.{}.explanation": VISIBILITIES,
    "board.kind.{}": BOARD_KINDS,
    "board.section.{}": BOARD_KINDS,
    "board.status.{}": BOARD_STATUSES,
    "report.action_status.{}": ACTION_STATUSES,
    "error.action_already.{}": ACTION_STATUSES,
    "report.column.{}": ("section", "label", "value", "text"),
    "report.lead.{}": ("group", "facilitator"),
    "report.audience.{}": ("group", "facilitator"),
    "report.audit.{}": (*(a.replace(".", "_") for a in AUDITED), "other"),
    "report.audit_item.{}": ("board", "action", "prompt", "note"),
    # The facilitators' own words (bot/flows/wording.py, bot/i18n/note_forms.py).
    "button.words.write_{}": LOCALES,
    "wording.preview_{}": LOCALES,
    "wording.preview_default_{}": LOCALES,
    "wording.preview_fallback_{}": LOCALES,
    "wording.language.{}": LOCALES,
    "mydata.consent.{}": typing.get_args(ConsentState),
    "flag.reason.{}": FLAG_REASONS,
    # The safety forms of one text (bot/i18n/note_forms.py).
    "note.{}_explain": ("possible", "decline", "blocked", "line", "reply", *SPACE_FORMS),
    "note.{}_text": ("possible", "decline", "blocked", "line", "reply", *SPACE_FORMS),
    "note.{}_title": SPACE_FORMS,
    "note.{}.title": ("tsave", "fnote"),  # a template's name, a private note
    "note.{}.explain": ("tsave", "fnote"),
    "note.{}.text": ("tsave", "fnote"),
    "web.dash.contract_{}": CONTRACT_STATUSES,
    "web.dash.action_{}": ACTION_STATUSES,
    "web.me.role_{}": ("facilitator", "participant"),
    "web.me.consent_{}": ("pending", "accepted", "declined", "withdrawn"),
    "conflict.{}_kept": ("positions", "needs"),
    "conflict.{}_kept_last": ("positions", "needs"),
    "conflict.{}_revealed": ("positions", "needs"),
    "conflict.phase.{}": typing.get_args(SpacePhase),
    "conflict.mydata_kind.{}": typing.get_args(WrittenKind),
    "conflict.view_loop_{}": typing.get_args(LoopStand),
    "reach.{}": tuple(
        f"{cause}.{platform}"
        for cause in ("not_in_channel", "missing_permission")
        for platform in ("slack", "discord", "other")
    ),
}

# Functions that build a Message from a key given as an argument: (argument index, params).
FORWARDERS: dict[str, tuple[int, frozenset[str]]] = {
    "prompt_message": (0, frozenset({"round"})),
}


def flow_keys() -> dict[str, frozenset[str]]:
    """Keys the flow data implies, whether or not the code names them literally yet."""
    keys: dict[str, frozenset[str]] = {}
    for pattern in (
        "prompt.{}",
        "round.{}.title",
        "step.{}.name",
        "step.{}.intro",
        "option.{}",
        "visibility.{}.label",
        "board.kind.{}",
        "board.section.{}",
        "board.status.{}",
    ):
        for value in DYNAMIC[pattern]:
            keys[pattern.format(value)] = frozenset()
    # Rendered for an intervention: what the frame states, the facilitators' names included.
    frame = frozenset({"k", "anonymity", "days", "facilitator", "facilitator_count"})
    for r in DYNAMIC["round.{}.intro"]:
        keys[f"round.{r}.intro"] = frame
    for v in VISIBILITIES:
        keys[f"visibility.{v}.explanation"] = frame
    return keys


# ---------------------------------------------------------------------------------------------
# The static extractor


@dataclass
class Use:
    """Where the code asks for a key, and which parameters it passes there."""

    params: set[str] = field(default_factory=set)
    places: list[str] = field(default_factory=list)
    known_params: bool = True  # False when some call passes parameters we cannot read
    to_group: bool = False  # posted to the group channel or a sub-group space


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _key_exprs(node: ast.expr) -> Iterator[ast.expr]:
    """Both branches of `"a" if cond else "b"`; the expression itself otherwise."""
    if isinstance(node, ast.IfExp):
        yield from _key_exprs(node.body)
        yield from _key_exprs(node.orelse)
    else:
        yield node


def _literal_keys(node: ast.expr, where: str) -> list[str] | None:
    """The keys an expression names: a literal, or an f-string expanded through DYNAMIC.
    None when the expression is not a key at all (a variable, another string)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value] if KEY_SHAPE.match(node.value) else None
    if isinstance(node, ast.JoinedStr):
        pattern = "".join(
            v.value.replace("{", "{{").replace("}", "}}") if isinstance(v, ast.Constant) else "{}"
            for v in node.values
        )
        if not re.match(r"^[a-z_]+\.", pattern):
            return None
        if pattern not in DYNAMIC:
            raise AssertionError(
                f"{where}: f-string key {pattern!r} has no expansion; add it to DYNAMIC "
                "in tests/test_catalog.py with the values its holes take"
            )
        return [pattern.format(v) for v in DYNAMIC[pattern]]
    return None


def _dict_keys(node: ast.expr | None) -> set[str] | None:
    if node is None:
        return set()
    if isinstance(node, ast.Dict) and all(
        isinstance(k, ast.Constant) and isinstance(k.value, str) for k in node.keys
    ):
        return {k.value for k in node.keys if isinstance(k, ast.Constant)}
    return None


def _kwargs(node: ast.Call, ignore: tuple[str, ...] = ()) -> set[str] | None:
    names: set[str] = set()
    for kw in node.keywords:
        if kw.arg is None:
            return None  # **params: unknown
        if kw.arg not in ignore:
            names.add(kw.arg)
    return names


def _uses_in_call(node: ast.Call) -> Iterator[tuple[ast.expr, set[str] | None]]:
    """(key expression, params passed) for each way a call can name a message key."""
    name = _call_name(node)
    args = node.args
    if name == "Message" and args:
        params_node = (
            args[1]
            if len(args) > 1
            else next((kw.value for kw in node.keywords if kw.arg == "params"), None)
        )
        params = _dict_keys(params_node)
        yield args[0], None if params is None else params | RENDERER_PARAMS
    elif name in ("reply", "refuse") and args:
        params = _kwargs(node, ignore=("buttons",))
        yield args[0], None if params is None else params | RENDERER_PARAMS
    elif name == "CommandError" and args:
        params = _kwargs(node)
        yield args[0], None if params is None else params | RENDERER_PARAMS
    elif name == "Button" and len(args) > 1:
        yield args[1], {"value"}  # a label may show the button's value (a note's number)
    elif name in ("text", "t", "render", "_render") and len(args) > 1:
        if name in ("text", "t"):  # `t = renderer.text` in the report builders
            params = _kwargs(node)
        else:
            params = _dict_keys(args[2] if len(args) > 2 else None)
        yield args[1], params
    elif name in FORWARDERS:
        index, params = FORWARDERS[name]
        if len(args) > index:
            yield args[index], set(params) | RENDERER_PARAMS


def extract(root: Path = BOT) -> dict[str, Use]:
    """Every key the code under `bot/` asks for, with the parameters it passes."""
    uses: dict[str, Use] = {}
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root.parent)
        tree = ast.parse(path.read_text("utf-8"), str(rel))
        # Messages sent to several people at once: `ctx.send(ToChannel() | ToSpace(..), msg)`.
        to_group = {
            id(node.args[1])
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and _call_name(node) == "send"
            and len(node.args) > 1
            and isinstance(node.args[0], ast.Call)
            and _call_name(node.args[0]) in ("ToChannel", "ToSpace")
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            for key_node, params in _uses_in_call(node):
                for expr in _key_exprs(key_node):
                    where = f"{rel}:{expr.lineno}"
                    keys = _literal_keys(expr, where)
                    for key in keys or ():
                        use = uses.setdefault(key, Use())
                        use.places.append(where)
                        use.to_group |= id(node) in to_group
                        if params is None:
                            use.known_params = False
                        else:
                            use.params |= params
    return uses


# ---------------------------------------------------------------------------------------------
# Fixtures


def _raw(locale: str) -> dict[str, str]:
    from bot.i18n.catalog import _flatten

    return _flatten(tomllib.loads((I18N / f"{locale}.toml").read_text("utf-8")))


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


@pytest.fixture(scope="module")
def uses() -> dict[str, Use]:
    return extract()


def _base(key: str) -> str:
    return key.removesuffix(TU)


def _dummy(name: str) -> object:
    if name in TRANSLATED_PARAMS:
        return {
            "round": FLOW.round_keys()[0],
            "step": STEP_KINDS[0],
            "next": STEP_KINDS[1],
            "intro": STEP_KINDS[0],
            "visibility": VISIBILITIES[2],
            "kind": BOARD_KINDS[0],
            "status": "active",
            "verb": "open",
            "weekday": "mon",
            "anonymity": "full",
            "anonymity_mode": "full",
            "sender": "anonymous",
            "word": "none",
            "reason": FLAG_REASONS[0],
            "cause": "not_in_channel",
        }[name]
    if name in ("due", "at", "when", "deadline"):
        from datetime import UTC, datetime

        return When(datetime(2026, 12, 7, 9, 0, tzinfo=UTC))
    if name in (
        "text",
        "title",
        "name",
        "context",
        "attributes",
        "groups",
        "facilitators",
        "contacts",
    ):
        return UserText(f"<{name}>")
    if name in ("mean", "gap"):
        return 2.5
    return 3


# ---------------------------------------------------------------------------------------------
# 1-2. Shape and parity


def test_both_catalogs_load(catalog: Catalog) -> None:
    assert set(catalog.templates) == set(LOCALES)
    for locale in LOCALES:
        assert len(catalog.templates[locale]) > 100, locale


def test_every_value_is_a_string() -> None:
    for locale in LOCALES:
        text = (I18N / f"{locale}.toml").read_text("utf-8")

        def walk(table: dict[str, object], prefix: str = "") -> Iterator[str]:
            for k, v in table.items():
                full = f"{prefix}.{k}" if prefix else k
                if isinstance(v, dict):
                    yield from walk(v, full)
                elif not isinstance(v, str):
                    yield full

        assert list(walk(tomllib.loads(text))) == [], f"{locale}: non-string values"


def test_same_base_keys_in_every_language() -> None:
    fr = {k for k in _raw("fr") if not k.endswith(TU)}
    en = {k for k in _raw("en") if not k.endswith(TU)}
    assert sorted(fr - en) == [], "in fr.toml only"
    assert sorted(en - fr) == [], "in en.toml only"


def test_tu_variants_only_in_french_and_beside_a_base_key() -> None:
    assert [k for k in _raw("en") if k.endswith(TU)] == [], "English has no tutoiement"
    fr = _raw("fr")
    orphans = [k for k in fr if k.endswith(TU) and _base(k) not in fr]
    assert orphans == []


def test_same_placeholders_per_key() -> None:
    fr, en = _raw("fr"), _raw("en")
    mismatched = {
        key: (sorted(placeholders(fr[key])), sorted(placeholders(en[_base(key)])))
        for key in fr
        if _base(key) in en and placeholders(fr[key]) != placeholders(en[_base(key)])
    }
    assert mismatched == {}, "fr (or its @tu variant) and en differ"


# Second person plural forms that address one reader formally (imperatives included).
VOUS = re.compile(
    r"\b(vous|votre|vos|vôtre|tapez|essayez|indiquez|utilisez|choisissez|répondez|écrivez|"
    r"cliquez|ajoutez|relisez|attendez|demandez|précisez|donnez|dites|reformulez|répartissez)\b",
    re.IGNORECASE,
)


def test_texts_addressing_one_person_have_a_tu_variant(uses: dict[str, Use]) -> None:
    """With tutoiement chosen, nobody is addressed as « vous » alone. A message posted to the
    group or a sub-group speaks to several people: there « vous » is plural and stays."""
    fr = _raw("fr")
    to_group = {k for k, u in uses.items() if u.to_group}
    missing = [
        k
        for k, v in fr.items()
        if not k.endswith(TU) and VOUS.search(v) and f"{k}{TU}" not in fr and k not in to_group
    ]
    assert missing == [], "texts saying « vous » to one person without a @tu variant"
    still_vous = [k for k, v in fr.items() if k.endswith(TU) and VOUS.search(v)]
    assert still_vous == [], "@tu variants that still say « vous »"


def test_placeholders_are_well_formed() -> None:
    """Only `{name}`, `{{`, `}}` and a plural `{count|one|other}`: any other brace is a typo
    the renderer would print."""
    for locale in LOCALES:
        for key, template in _raw(locale).items():
            cleaned = re.sub(
                r"\{\{|\}\}|\{[a-z_][a-z0-9_]*\}|\{[a-z_][a-z0-9_]*\|[^{}|]*\|[^{}|]*\}",
                "",
                template,
            )
            assert "{" not in cleaned and "}" not in cleaned, f"{locale}:{key}: stray brace"


def test_every_message_fits_in_one_chat_message() -> None:
    """Discord caps a message at 2000 characters; leave room for titles and names."""
    for locale in LOCALES:
        long = {k: len(v) for k, v in _raw(locale).items() if len(v) > 1800}
        assert long == {}, locale


# ---------------------------------------------------------------------------------------------
# 3-4. Every key the code asks for exists, with the parameters it gets


def test_extractor_finds_the_code_keys(uses: dict[str, Use]) -> None:
    """A sanity check of the extractor itself, on keys known to be in the code."""
    for key in (
        "frame.body",
        "button.accept_frame",
        "round.prompt",
        "error.no_intervention",
        "decision.parked",
        "contract.show.in_consent",
        "help.everyone",
        "synthesis.heading",
    ):
        assert key in uses, key
    assert "error.round_needs_items.contract.consent" in uses
    assert uses["frame.body"].params >= {"title", "facilitators", "k"}


def test_extractor_fails_loudly_on_what_it_cannot_check(tmp_path: Path) -> None:
    """A new key is reported with its place; an f-string key it cannot expand is an error."""
    code = tmp_path / "bot"
    code.mkdir()
    (code / "m.py").write_text(
        "ctx.reply('zz.absent', count=1)\n"
        "ctx.send(ToChannel(), Message('zz.to_all' if x else 'zz.other', {'round': r}))\n",
        "utf-8",
    )
    found = extract(code)
    assert set(found) == {"zz.absent", "zz.to_all", "zz.other"}
    assert found["zz.absent"].places == ["bot/m.py:1"]
    assert found["zz.absent"].params == {"count"} | RENDERER_PARAMS
    assert found["zz.to_all"].to_group and not found["zz.absent"].to_group
    (code / "m.py").write_text("ctx.refuse(f'zz.{what}')\n", "utf-8")
    with pytest.raises(AssertionError, match="DYNAMIC"):
        extract(code)


def test_every_key_used_by_the_code_exists(catalog: Catalog, uses: dict[str, Use]) -> None:
    for locale in LOCALES:
        missing = {k: u.places[:3] for k, u in sorted(uses.items()) if not catalog.has(locale, k)}
        assert missing == {}, f"{locale}.toml lacks keys the code uses"


def test_every_key_the_flow_implies_exists(catalog: Catalog) -> None:
    for locale in LOCALES:
        missing = sorted(k for k in flow_keys() if not catalog.has(locale, k))
        assert missing == [], f"{locale}.toml lacks flow keys"


def test_renderer_keys_exist(catalog: Catalog) -> None:
    """Keys the renderer builds at run time, listed so they are checked even if its code moves."""
    renderer = [
        "form.title",
        "form.submit",
        "confirm.empty_skips",
        "form.visibility_label",
        "form.context",
        "form.item_prompt",
        "form.scale_hint",
        "form.dots_hint",
        "form.rank_hint",
        "form.optional",
        "synthesis.heading",
        "synthesis.heading_subgroup",
        "synthesis.facilitator_note",
        "synthesis.withheld",
        "synthesis.skipped",
        "synthesis.mean",
        "synthesis.quote_named",
        "synthesis.quote",
        "synthesis.count_line",
        "synthesis.objections_confidential",
        "synthesis.no_answers",
        "board.heading",
        "board.item",
        "board.item_linked",
        "board.item_status",
        "mydata.heading",
        "mydata.line",
        "mydata.answer",
        "mydata.none",
        "report.heading",
        "report.sent",
        # Sentences whose grammar follows a count, by CLDR plural category.
        *(
            f"report.{k}.{form}"
            for k in ("answered", "deferred", "skipped")
            for form in ("one", "other")
        ),
        "help.everyone",
        "help.facilitator",
        "help.topic",
        "synthesis.withdrawn_note",
        "board.item_withdrawn",
        "board.withdrawn_text",
        "safety.sender.anonymous",
        "safety.word.none",
        "step.none.name",
        *(f"flag.reason.{r}" for r in FLAG_REASONS),
    ]
    for locale in LOCALES:
        assert [k for k in renderer if not catalog.has(locale, k)] == [], locale


def test_templates_use_only_parameters_their_callers_pass(uses: dict[str, Use]) -> None:
    flow = flow_keys()
    for locale in LOCALES:
        raw = _raw(locale)
        extra: dict[str, list[str]] = {}
        for key, template in raw.items():
            base = _base(key)
            if base in uses and uses[base].known_params:
                allowed = uses[base].params
            elif base in flow:
                allowed = flow[base]
            else:
                continue
            unknown = placeholders(template) - allowed
            if unknown:
                extra[key] = sorted(unknown)
        assert extra == {}, f"{locale}: placeholders no caller provides"


def test_translated_names_have_no_placeholders(catalog: Catalog) -> None:
    """Round titles, step names, visibility labels, board kinds are inserted as they are."""
    for locale in LOCALES:
        for key, template in catalog.templates[locale].items():
            if any(
                re.fullmatch(p.replace(".", r"\.").replace("{}", r".+"), _base(key))
                for p in TRANSLATED_PARAMS.values()
            ):
                assert placeholders(template) == frozenset(), f"{locale}:{key}"


# ---------------------------------------------------------------------------------------------
# 5. Everything renders


@pytest.mark.parametrize("locale", LOCALES)
def test_every_template_renders(catalog: Catalog, locale: str) -> None:
    for key, template in catalog.templates[locale].items():
        base = _base(key)
        address = "tu" if key.endswith(TU) else "vous"
        params = {name: _dummy(name) for name in placeholders(template)}
        segments = catalog.render(locale, base, params, address)  # type: ignore[arg-type]
        text = "".join(s.text for s in segments)
        assert text.strip(), f"{locale}:{key} renders empty"
        assert not re.search(r"\{[a-z_]+\}", text), f"{locale}:{key} left a placeholder"


def test_tutoiement_is_picked_when_chosen(catalog: Catalog) -> None:
    params = {
        "title": UserText("T"),
        "facilitators": UserText("F"),
        "k": 3,
        "days": 30,
        "anonymity": "group",
    }
    vous = "".join(s.text for s in catalog.render("fr", "frame.body", params, "vous"))
    tu = "".join(s.text for s in catalog.render("fr", "frame.body", params, "tu"))
    assert "vous" in vous.lower() and vous != tu
    assert not VOUS.search(tu)
    en = "".join(s.text for s in catalog.render("en", "frame.body", params, "tu"))
    assert en == "".join(s.text for s in catalog.render("en", "frame.body", params, "vous"))


def test_relayed_text_stays_apart(catalog: Catalog) -> None:
    segments = catalog.render("fr", "synthesis.quote", {"text": UserText("@everyone hi")})
    assert [s.text for s in segments if s.relayed] == ["@everyone hi"]


# ---------------------------------------------------------------------------------------------
# 6. Form and tone


MARKUP = re.compile(r"(?<![\w*])\*[^*\s][^*]*\*(?!\w)|(?<!\w)_[^_\s][^_]*_(?!\w)|`|\*\*|<[@#!]")


def test_no_platform_markup() -> None:
    """Plain text only: Slack and Discord disagree on bold, italics and mentions."""
    for locale in LOCALES:
        bad = [k for k, v in _raw(locale).items() if MARKUP.search(v)]
        assert bad == [], locale


def test_french_typography_is_consistent() -> None:
    fr = _raw("fr")
    nbsp_before = re.compile("[\u00a0\u202f][:;?!»]")
    plain_before = re.compile(r" [;?!»]| :")
    glued = re.compile(r"(?<=[\w\)»…])[;?!]|«(?=\S)|(?<=\S)»")
    uses_nbsp = any(nbsp_before.search(v) for v in fr.values())
    uses_plain = any(plain_before.search(v) for v in fr.values())
    assert not (uses_nbsp and uses_plain), "mixes normal and non-breaking spaces before : ; ? ! »"
    glued_keys = [
        k for k, v in fr.items() if glued.search(re.sub(r"\{[a-z_]+\}|https?://\S+", "", v))
    ]
    assert glued_keys == [], "« ; ? ! » need a space before them in French"
    straight = [k for k, v in fr.items() if re.search(r"\"", v)]
    assert straight == [], "French quotes are « guillemets »"
    english_quotes = [k for k, v in _raw("en").items() if "«" in v]
    assert english_quotes == [], "English uses English quotes"


def test_group_messages_never_name_who_did_not_answer() -> None:
    """Reminders and closing notes carry counts at most, never names."""
    for locale in LOCALES:
        raw = _raw(locale)
        for key in ("round.reminder", "round.closed", "round.closed_few", "round.opened"):
            assert key in raw, key
            for variant in (key, f"{key}{TU}"):
                if variant in raw:
                    assert not placeholders(raw[variant]) & {"name", "names", "user", "users"}


def test_the_frame_says_what_a_participant_must_know() -> None:
    fr, en = _raw("fr"), _raw("en")
    for text in (fr["frame.body"], fr["frame.body@tu"]):
        lowered = text.lower()
        for needle in ("je passe", "quitter", "administr", "anonym", "{k}", "{facilitators}"):
            assert needle in lowered, needle
    lowered = en["frame.body"].lower()
    for needle in ("skip", "leave", "admin", "anonym", "{k}", "{facilitators}"):
        assert needle in lowered, needle


def _fold(text: str) -> str:
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def test_no_key_is_both_a_leaf_and_a_table() -> None:
    """TOML would refuse it; this keeps the message readable if someone tries."""
    for locale in LOCALES:
        keys = set(_raw(locale))
        clashes = [k for k in keys if any(o.startswith(k + ".") for o in keys)]
        assert clashes == [], locale
