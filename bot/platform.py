"""What a chat platform adapter offers the bot: its port, and a service that receives events."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from bot.core.events import AnswerSubmitted
from bot.core.model import InterventionId, Locale, UserId
from bot.core.ports import AnswerForm, ChatPort, NoteForm
from bot.flows.answers import Problem, problems
from bot.flows.queries import allowed_actions
from bot.flows.spaces import may_fill
from bot.i18n.note_forms import FACILITATOR_FORMS, SPACE_FORMS, note_form
from bot.i18n.render import Reader, reader_for

if TYPE_CHECKING:
    from aiohttp import web

    from bot.app import App


class PlatformService(Protocol):
    """One platform: `port` delivers (used by the dispatcher), `start` begins receiving events
    (HTTP server, Socket Mode, gateway) and hands each one to `app.runner.handle`."""

    platform: str
    port: ChatPort

    async def start(self, app: App) -> None: ...

    async def stop(self) -> None: ...

    def mount(self, routes: Sequence[web.RouteDef]) -> bool:
        """Before `start`: serve these extra routes (/healthz, /metrics) on the platform's own
        HTTP server; False when it has none."""
        ...

    async def connected(self) -> bool | None:
        """Whether the platform connection is up; None when this process cannot know."""
        ...


async def answer_form(app: App, intervention: str, round_key: str, user: str) -> AnswerForm | None:
    """The form a person sees when they press "Answer": None when they may not answer it now
    (`queries.allowed_actions`: the round closed meanwhile, they are not among its recipients,
    they withdrew from the frame or left)."""
    async with app.store.unit() as uow:
        state = await uow.load(InterventionId(intervention))
    if state is None:
        return None
    rnd = state.rounds.get(round_key)
    spec = app.flow.round(round_key)
    may = {(b.action, b.value) for b in allowed_actions(state, UserId(user))}
    if rnd is None or spec is None or ("answer", round_key) not in may:
        return None
    return app.renderer.form(state, spec, rnd, reader_for(state, UserId(user)), UserId(user))


async def answer_problems(
    app: App, ev: AnswerSubmitted, platform_locale: Locale | None
) -> tuple[list[Problem], Reader | None]:
    """What the engine's one validator says of a form, for a platform that shows problems
    under the inputs before the form closes (Slack), and how its author reads them. Nothing
    when the round cannot be answered: the runner says why once the form is acknowledged."""
    async with app.store.unit() as uow:
        state = await uow.load(ev.intervention)
    if state is None:
        return [], None
    rnd = state.rounds.get(ev.round_key)
    spec = app.flow.round(ev.round_key)
    reader = reader_for(state, ev.meta.user, platform_locale)
    if rnd is None or spec is None or rnd.status != "open":
        return [], reader
    return problems(spec, rnd, ev.answers), reader


async def safety_form(
    app: App, intervention: str, button: str, value: str, user: str, told: Locale | None
) -> NoteForm | None:
    """The safety form behind a button (private line, an answer to it, a flag), in its
    reader's language; None when it cannot be filled by this person (not a member of the
    intervention, an answer form for someone who is not a facilitator, an item gone)."""
    async with app.store.unit() as uow:
        state = await uow.load(InterventionId(intervention))
    member = state.participants.get(UserId(user)) if state is not None else None
    if state is None or member is None or not member.active:
        return None
    if button in FACILITATOR_FORMS and not member.is_facilitator:
        return None
    if button in SPACE_FORMS and not may_fill(state, UserId(user), button, value):
        return None
    return note_form(app.renderer, state, button, value, reader_for(state, UserId(user), told))
