"""The App behind the port for the edge: what platform adapters ask of the bot."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.app import App
from bot.core.edge import FormErrors, Home, Line
from bot.core.effects import Handled
from bot.core.events import AnswerSubmitted, Event, EventMeta
from bot.core.model import Locale
from bot.core.ports import AnswerForm, NoteForm, OutMessage
from bot.direct import answer_direct
from bot.home import home_of
from bot.i18n.render import Reader
from bot.platform import answer_form, answer_problems, safety_form


class AppEdge:
    """Implements bot.core.edge.EdgePort over one App. The runner is looked up at each
    input, not kept, so whatever replaces it (a test's injected fault) is the one used."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def handle(self, event: Event) -> Handled:
        return await self.app.runner.handle(event)

    def _reader(self, locale: Locale | None) -> Reader:
        policy = self.app.runner.policy
        return Reader(locale or policy.locale, policy.timezone, policy.address_form)

    def line(self, locale: Locale | None, key: str, **params: str | int) -> str:
        return self.app.renderer.text(self._reader(locale), key, **params)

    async def answer_form(self, intervention: str, round_key: str, user: str) -> AnswerForm | None:
        return await answer_form(self.app, intervention, round_key, user)

    async def form_errors(
        self, answers: AnswerSubmitted, told: Locale | None, unreadable: Mapping[str, Line]
    ) -> FormErrors:
        found, read = await answer_problems(self.app, answers, told)
        reader = read or self._reader(told)
        text = self.app.renderer.text
        by_prompt: dict[str, str] = {}
        for p in found:  # the first problem of a prompt is the one shown under it
            by_prompt.setdefault(p.prompt_key, text(reader, p.key, **p.params))
        said = {at: text(reader, line.key, **line.params) for at, line in unreadable.items()}
        return FormErrors(said, by_prompt)

    async def safety_form(
        self, intervention: str, button: str, value: str, user: str, told: Locale | None
    ) -> NoteForm | None:
        return await safety_form(self.app, intervention, button, value, user, told)

    async def direct_answer(
        self,
        platform: str,
        workspace: str | None,
        user: str,
        message_id: str,
        told: Locale | None = None,
    ) -> tuple[OutMessage, ...]:
        return await answer_direct(self.app, platform, workspace, user, message_id, told)

    async def home(self, meta: EventMeta) -> Home | str:
        return await home_of(self.app, meta)

    async def first_time(self, platform: str, delivery: str) -> bool:
        async with self.app.store.unit() as uow:
            return await uow.first_time(platform, delivery, self.app.runner.clock.now())

    def round_keys(self) -> Sequence[str]:
        return self.app.flow.round_keys()

    async def members(self, platform: str, workspace: str, channel: str) -> Mapping[str, str]:
        async with self.app.store.unit() as uow:
            state = await uow.find(platform, workspace, channel)
        if state is None:
            return {}
        return {str(p.user): p.display_name for p in state.participants.values() if p.active}
