"""The demo script: a facilitator and simulated participants go through the seven steps."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, cast

from bot.adapters.memory import MemoryChat
from bot.app import App, build
from bot.config import DatabaseSettings, DeliverySettings, InterventionDefaults, Settings
from bot.core.events import AnswerSubmitted, ChoiceMade, CommandIssued, EventMeta, NoteSubmitted
from bot.core.model import AnswerValue, InterventionId, UserId, Visibility
from bot.core.ports import AnswerForm, ManualClock, OutMessage
from bot.demo.conflict import conflict_space
from bot.demo.scenes import report_backs
from bot.demo.voices import NAMES, ROLES, SCRIPT_TEXT, SITES, TEAMS, VOICES
from bot.i18n.render import parse_action_id, reader_for
from bot.reports.build import build as build_report
from bot.reports.data import load_report
from bot.reports.document import Audience
from bot.reports.exports import FORMATS, render
from bot.storage.migrate import upgrade

START = datetime(2026, 9, 7, 7, 0, tzinfo=UTC)
FACILITATOR = UserId("camille")
CHANNEL = "tst-demo"


@dataclass(slots=True)
class Demo:
    """Drives one intervention through the real runner and dispatcher with a manual clock."""

    app: App
    chat: MemoryChat
    clock: ManualClock
    locale: Literal["fr", "en"]
    rng: random.Random
    people: list[UserId]
    say: Any = print
    transcript: list[str] = field(default_factory=list)
    iid: str = ""
    names: dict[UserId, str] = field(default_factory=dict)
    # Consent positions by round and person: the script decides where an objection comes.
    plan: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # By round: the line the person who passes sends on what would make an answer possible.
    heard: dict[str, str] = field(default_factory=dict)
    _n: int = 0
    _seen: int = 0

    def meta(self, user: UserId | None, channel: str | None = CHANNEL) -> EventMeta:
        self._n += 1
        return EventMeta(
            "memory",
            f"demo-{self._n}",
            "demo-workspace",
            user,
            self.names.get(user, str(user or "")) if user else "",
            channel,
            self.locale,
        )

    async def cmd(self, text: str, user: UserId = FACILITATOR) -> None:
        handled = await self.app.runner.handle(CommandIssued(self.meta(user), text))
        self.iid = handled.intervention or self.iid
        for reply in handled.replies:
            self.transcript.append(
                f"[ephemeral to @{user}] /tst {text.splitlines()[0][:60]}\n{_indent(reply.plain())}"
            )
        await self.flush()

    async def flush(self) -> None:
        await self.app.dispatcher.drain()
        for d in self.chat.log[self._seen :]:
            self.transcript.append(f"[{d.where}]\n{_indent(d.message.plain())}")
        self._seen = len(self.chat.log)

    async def days(self, n: float) -> None:
        self.clock.advance(days=n)
        await self.flush()

    async def answer_round(self, key: str, skip_one: bool = True, week: int = 0) -> None:
        """Every recipient answers from their own DM form (one person passes, as is their right)."""
        async with self.app.store.unit() as uow:
            state = await uow.load(InterventionId(self.iid))
        assert state is not None
        rnd = state.rounds[key]
        spec = self.app.flow.round(key)
        assert spec is not None
        silent = self.rng.randrange(len(rnd.recipients) + 3)  # sometimes someone stays silent
        if key in self.plan:
            silent = -1  # in a scripted consent round everyone speaks
        for i, user in enumerate(sorted(rnd.recipients)):
            if i == silent:
                continue
            if skip_one and i == len(rnd.recipients) - 1:
                await self.event(ChoiceMade(self.meta(user, None), state.id, "skip", key), user)
                if key in self.heard:  # the button under the reply opens a one-line form
                    await self.note(user, "possible", key, self.heard[key])
                continue
            form = self.app.renderer.form(state, spec, rnd, reader_for(state, user))
            answers, visibility = self.fill(form, i + 2 * week)
            await self.event(
                AnswerSubmitted(self.meta(user, None), state.id, key, answers, visibility), user
            )
        await self.flush()

    async def event(self, ev: Any, user: UserId) -> None:
        handled = await self.app.runner.handle(ev)
        for reply in handled.replies:
            self.transcript.append(f"[ephemeral to @{user}]\n{_indent(reply.plain())}")

    def fill(self, form: AnswerForm, who: int) -> tuple[dict[str, AnswerValue], Visibility]:
        """Answer a real form as person number `who` would: varied texts, a few silences."""
        answers: dict[str, AnswerValue] = {}
        planned = self.plan.get(form.round_key)
        for f in form.fields:
            base = f.prompt_key.split("#")[0]
            if f.kind in ("open", "restate"):
                pool = VOICES[self.locale].get(base, ("",))
                if base == "solutions.proposal" and who >= len(pool):
                    continue  # not everyone has a proposal of their own
                shift = 0 if base == "solutions.proposal" else self.rng.randrange(2)
                text = pool[(who + shift) % len(pool)]
                if text:
                    answers[f.prompt_key] = text
            elif f.kind == "scale":
                answers[f.prompt_key] = self.rng.choice((2, 3, 3, 4, 4, 5))
            elif f.kind == "consent" and planned:
                answers[f.prompt_key] = planned[who % len(planned)]
            elif f.kind in ("choice", "consent"):
                weights = [5 if v in ("agree", "yes") else 2 for v, _ in f.options]
                answers[f.prompt_key] = self.rng.choices([v for v, _ in f.options], weights)[0]
            elif f.kind == "dots":
                dots: dict[str, int] = {}
                for _ in range(f.budget):
                    pick = self.rng.choice([v for v, _ in f.options])
                    dots[pick] = dots.get(pick, 0) + 1
                answers[f.prompt_key] = dots
        position = planned[who % len(planned)] if planned else ""
        if position == "object" and "contract.reason" in answers:
            # The objection says what would lift it: the amendment the next version takes up.
            answers["contract.reason"] = VOICES[self.locale]["contract.reason"][0]
        elif position == "agree":
            answers.pop("contract.reason", None)  # nothing to change for who simply agrees
        # Most people keep the suggested visibility; some choose another allowed one.
        choices = [v.value for v in form.visibility_options]
        visibility = form.default_visibility
        if self.rng.random() < 0.2:
            visibility = self.rng.choice(choices)
        if planned and position == "object" and who < len(planned) and "facilitator" in choices:
            visibility = "facilitator"  # the first objection is told to the facilitator only
        return answers, cast(Visibility, visibility)

    async def weekly_check_ins(self, word: str, runs: int) -> None:
        """A follow-up check-in planned every Monday at 9:00 (each person's clock), sent only
        to those who accept the invitation: the clock jumps to each run, people answer, and
        the facilitator ends the series afterwards."""
        await self.cmd(f"schedule every {word} monday 9am")
        for person in self.people[:-2]:  # two let the invitation go: they are not asked
            await self.choose(person, "checkins", "on")
        for week in range(runs):
            async with self.app.store.unit() as uow:
                state = await uow.load(InterventionId(self.iid))
            assert state is not None
            series = next(a for a in state.scheduled if a.every)
            self.clock.set(series.due + timedelta(hours=2))
            await self.flush()
            async with self.app.store.unit() as uow:
                state = await uow.load(InterventionId(self.iid))
            assert state is not None
            key = next(k for k, r in state.rounds.items() if r.status == "open")
            self.say(f"  round {key}: open (weekly, Monday 9:00 local)")
            await self.answer_round(key, skip_one=False, week=week)
        await self.cmd(f"schedule cancel {series.id}")
        await self.days(3)
        await self.cmd(f"round close {word}")

    def button_value(self, user: UserId, action: str) -> str:
        """The value of the latest `action` button `user` received in private."""
        for d in reversed(self.chat.log):
            if d.where == f"@{user}":
                for b in d.message.buttons:
                    parsed = parse_action_id(b.action_id)
                    if parsed is not None and parsed[1] == action:
                        return parsed[2]
        raise LookupError(action)

    async def note(self, user: UserId, action: str, value: str, text: str, **kw: Any) -> None:
        iid = InterventionId(self.iid)
        await self.event(NoteSubmitted(self.meta(user, None), iid, action, value, text, **kw), user)
        await self.flush()

    async def choose(self, user: UserId, action: str, value: str) -> None:
        await self.event(
            ChoiceMade(self.meta(user, None), InterventionId(self.iid), action, value), user
        )
        await self.flush()

    async def safety(self, text: Any) -> None:
        """The safety line at work: someone writes privately without their name and the
        facilitator answers through the bot; someone asks for a time-out and the group
        pauses for two days; a published synthesis is flagged and withdrawn."""
        writer, asker, flagger = self.people[2], self.people[4], self.people[5 % len(self.people)]
        await self.note(writer, "line", "", text["line"])
        await self.note(
            FACILITATOR, "lreply", self.button_value(FACILITATOR, "lreply"), text["line_answer"]
        )
        await self.note(writer, "line", self.button_value(writer, "lwrite"), text["line_again"])
        await self.choose(asker, "timeout", "anonymous")
        await self.choose(FACILITATOR, "pausenow", self.button_value(FACILITATOR, "pausenow"))
        await self.days(2)
        await self.cmd("resume")
        await self.note(
            flagger, "flag", "synthesis:conflict.positions", text["flag_word"], reason="contempt"
        )
        await self.choose(FACILITATOR, "withdraw", self.button_value(FACILITATOR, "withdraw"))

    async def round(
        self,
        key: str,
        context: str = "",
        publish: bool = True,
        remind: bool = True,
        restate: str = "",
    ) -> None:
        await self.cmd(f"round open {key} {context}".strip())
        self.say(f"  round {key}: open")
        await self.days(2)
        await self.answer_round(key)
        if remind:
            await self.cmd(f"round remind {key}")
        await self.days(3)
        await self.cmd(f"round close {key}")
        if restate:  # the facilitator reviews the draft and adds what they hear
            await self.cmd(f"round restate {key} {restate}")
        if publish:
            await self.cmd(f"publish {key}")


async def run_demo(
    locale: Literal["fr", "en"] = "fr",
    participants: int = 9,
    seed: int = 7,
    out: Path = Path("demo-out"),
    say: Any = print,
) -> Path:
    db = out / "tst.db"
    await asyncio.to_thread(_fresh, out, db)
    url = f"sqlite+aiosqlite:///{db}"
    # Alembic runs its own event loop: keep it off this one.
    await asyncio.to_thread(upgrade, url)
    settings = Settings(
        database=DatabaseSettings(url=url),
        defaults=InterventionDefaults(locale=locale),
        # One delivery at a time: the transcript interleaves audiences in delivery order, and
        # the same seed must give the same transcript.
        delivery=DeliverySettings(concurrency=1),
    )
    chat = MemoryChat()
    clock = ManualClock(START)
    app = build(settings, {"memory": chat}, clock, worker="demo")
    rng = random.Random(seed)
    people = [
        UserId(n.lower().replace("é", "e").replace("ë", "e").replace("è", "e").replace("ï", "i"))
        for n in NAMES[:participants]
    ]
    demo = Demo(app, chat, clock, locale, rng, people, say)
    demo.names = {FACILITATOR: "Camille", **dict(zip(people, NAMES, strict=False))}
    text = SCRIPT_TEXT[locale]
    try:
        await steps(demo, text)
        data = await load_report(app.store, demo.iid)
        assert data is not None
        reader = reader_for(data.intervention, None)
        (out / "transcript.txt").write_text("\n\n".join(demo.transcript) + "\n", "utf-8")
        # The group's report (what was published) and the facilitator's, in every format.
        readers: tuple[tuple[Audience, str], ...] = (
            ("group", "report"),
            ("facilitator", "report-facilitator"),
        )
        for audience, stem in readers:
            report = build_report(data, app.renderer, reader, audience)
            for fmt in FORMATS:
                (out / f"{stem}.{fmt}").write_bytes(render(report, fmt, app.renderer, reader))
    finally:
        await app.store.close()
    return out


async def steps(demo: Demo, text: Any) -> None:
    say = demo.say
    say("1/7 trust: frame, consent, intake, barometer")
    await demo.cmd(f"start {text['title']}")
    await demo.cmd("invite " + " ".join(f"<@{p}>" for p in demo.people))
    for i, person in enumerate(demo.people):
        await demo.event(
            ChoiceMade(demo.meta(person, None), InterventionId(demo.iid), "consent", "accept"),
            person,
        )
        await demo.cmd(
            f"profile team={TEAMS[i % 3]} site={SITES[(i // 3) % 3]} role={ROLES[i % 3]}", person
        )
    await demo.flush()
    await demo.cmd("step trust")
    demo.heard["trust.intake"] = text["possible"]
    await demo.round("trust.intake", restate=text["restate"])
    await demo.round("trust.barometer", remind=False)
    say("2/7 contract: needs, draft, consent, adoption")
    await demo.cmd("step contract")
    await demo.round("contract.needs", publish=False)
    await demo.cmd(f"contract draft {text['contract']}")
    # Version 1 meets an objection: adoption waits for a version that lifts it.
    demo.plan["contract.consent"] = ("agree", "object", "agree", "agree_with_reservations")
    await demo.round("contract.consent")
    await demo.cmd("contract adopt")
    await demo.cmd(f"contract draft {text['contract_v2']}")
    demo.plan["contract.consent@2"] = ("agree", "agree", "agree_with_reservations")
    await demo.round("contract.consent@2")
    await demo.cmd("contract adopt")
    await demo.cmd(f"contract help {demo.locale} {text['help']}")
    say("3/7 sub-groups: heterogeneous groups, private spaces")
    await demo.cmd("step subgroups")
    await demo.cmd("groups propose size 3 by team,site,role")
    await demo.cmd("groups approve")
    await demo.round("subgroups.exchange", publish=False)
    say("   each sub-group agrees on its report-back before it reaches the whole group")
    await report_backs(demo, text)
    await demo.round("subgroups.barometer", remind=False)
    await demo.cmd("groups close")
    say("4/7 constructive conflict: blind positions, restatement, recognition")
    await demo.cmd("step conflict")
    await demo.round("conflict.positions")
    say("   safety line: a private exchange, a time-out, a flagged synthesis withdrawn")
    await demo.safety(text)
    await demo.round("conflict.restatement")
    say("   conflict space: two parties, a restatement loop until « oui, c'est ça »")
    await conflict_space(demo, tuple(demo.people[0::3][:2]), tuple(demo.people[1::3][:2]))
    say("5/7 circulating information: items, obstacle board, our part")
    await demo.cmd("step information")
    await demo.round("information.items")
    for obstacle in text["obstacles"]:
        await demo.cmd(f"board add obstacle {obstacle}")
    await demo.cmd("board show")
    await demo.round("information.our_part")
    say("6/7 collective intelligence: situations, causes map, recognition")
    await demo.cmd("step collective_intelligence")
    await demo.round("collective_intelligence.situation", context=text["scenario"])
    for n, cause in enumerate(text["causes"], start=1):
        await demo.cmd(f"board add cause {cause} -> {n}")
    await demo.cmd("board show")
    await demo.round("collective_intelligence.recognition")
    say("7/7 solutions: proposals, shortlist, consent, actions, check-in, retrospective")
    await demo.cmd("step solutions")
    await demo.round("solutions.proposals", publish=False)
    await demo.round("solutions.shortlist")
    demo.plan["solutions.consent"] = ("agree", "agree_with_reservations", "agree")
    await demo.round("solutions.consent")
    async with demo.app.store.unit() as uow:
        state = await uow.load(InterventionId(demo.iid))
    assert state is not None
    consented = [b.id for b in state.board if b.status == "consented"]
    if consented:
        await demo.cmd(f"decide {consented[0]} adopt")
        owner = demo.people[1]
        when = (demo.clock.now().replace(hour=12)).date()
        await demo.cmd(
            f"action add <@{owner}> {(when + timedelta(days=14)).isoformat()} "
            f"{text['action']} -> {consented[0]}"
        )
        # The action counts once its owner accepts it, from the button in their DM.
        async with demo.app.store.unit() as uow:
            state = await uow.load(InterventionId(demo.iid))
        assert state is not None
        action = str(state.actions[-1].id)
        await demo.event(ChoiceMade(demo.meta(owner, None), state.id, "accept", action), owner)
        await demo.flush()
    await demo.weekly_check_ins("checkin", runs=2)
    await demo.round("solutions.retrospective")
    await demo.cmd("report")
    await demo.cmd("close")


def _fresh(out: Path, db: Path) -> None:
    """Each run starts from an empty database, so the same seed gives the same output."""
    out.mkdir(parents=True, exist_ok=True)
    db.unlink(missing_ok=True)


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


__all__ = ["OutMessage", "run_demo"]
