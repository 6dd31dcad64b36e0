"""The bolt AsyncApp: acknowledge first, then hand each Slack input to the runner."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
from collections.abc import Awaitable, Callable, Coroutine
from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.input_queue import InputQueue
from bot.core.edge import EdgePort, Line
from bot.core.events import AnswerSubmitted, ChoiceMade, EventMeta, NoteSubmitted
from bot.core.model import Locale, UserId, UserRef
from bot.core.ports import DeliveryError, OutMessage, Segment, WorkspaceRemoved
from bot.core.requests import begin_request

from .chat import Profile, SlackChat, TokenFor
from .home import home_view
from .parse import (
    OpenAnswer,
    OpenNote,
    input_blocks,
    parse_action,
    parse_command,
    parse_direct,
    parse_home_opened,
    parse_note,
    parse_submission,
)
from .removal import Installations, removed
from .render import (
    ANSWER_CALLBACK,
    NOTE_CALLBACK,
    answer_view,
    ephemeral,
    fit,
    note_view,
    notice_view,
)
from .shapes import Unreadable, who

log = logging.getLogger(__name__)
Respond = Callable[..., Awaitable[Any]]
Work = Callable[[], Awaitable[None]]


class SlackEdge:
    """Listeners of one bolt app. Work after the ack goes to an input queue served by a few
    workers, so the runner's work on earlier inputs does not delay the acks of later ones;
    opening a modal, whose trigger lives 3 s, runs at once in a tracked task. `settle`
    awaits both: graceful stop, and tests waiting for an input's effects without sleeping."""

    def __init__(
        self,
        bot: EdgePort,
        chat: SlackChat,
        client: AsyncWebClient,
        token_for: TokenFor,
        workspace_removed: WorkspaceRemoved,
        workers: int = 2,
        installations: Installations | None = None,
    ):
        self.bot = bot
        self.chat = chat
        self.client = client
        self.token_for = token_for
        self.installations = installations  # OAuth: one installation per workspace
        self.workspace_removed = workspace_removed
        self.queue = InputQueue(workers)
        self.tasks: set[asyncio.Task[None]] = set()

    # --- plumbing -----------------------------------------------------------------------------

    def spawn(
        self, work: Coroutine[Any, Any, None], body: dict[str, Any], respond: Respond | None
    ) -> None:
        task = asyncio.get_running_loop().create_task(self.seen(lambda: work, body, respond))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def queued(
        self, work: Work, body: dict[str, Any], respond: Respond | None = None, *, lane: Any = None
    ) -> None:
        """Queue an input's work after its ack (`lane`: one person's inputs keep their order)."""
        self.queue.put(partial(self.seen, work, body, respond), lane=lane)

    async def seen(self, work: Work, body: dict[str, Any], respond: Respond | None) -> None:
        """One input after its ack, with a request id of its own. An unexpected failure is
        logged at ERROR with that id, and the person told that nothing was lost (the
        runner's transaction rolled back), in their language."""
        rid = begin_request()
        try:
            await work()
        except Exception:
            log.exception("slack input failed after its ack (request %s)", rid)
            try:  # an event with nobody to tell (the app removed...) has no user to find
                if who(body)[1]:
                    await self.tell(body, respond, "error.unexpected")
            except Exception as error:  # the person cannot be reached either: logged, no more
                log.error("request %s: could not tell the person: %r", rid, error)

    async def settle(self) -> None:
        while self.tasks or self.queue.pending:
            await asyncio.gather(*list(self.tasks), return_exceptions=True)
            await self.queue.settle()
        await self.queue.settle()

    async def close(self) -> None:
        await self.settle()
        await self.queue.close()

    async def profile(self, team: str, user: str) -> Profile:
        """Name, language and timezone from users.info (kept by the port, which also asks it
        for invitees' languages); an empty profile when Slack will not say."""
        try:
            return await self.chat.profile(team, user)
        except DeliveryError as error:
            log.info("users.info %s: %s", user, error.reason)
            return Profile("", None, None)

    async def enrich(self, meta: EventMeta) -> EventMeta:
        if meta.user is None:
            return meta
        p = await self.profile(meta.workspace, meta.user)
        return dataclasses.replace(
            meta, user_name=p.name or meta.user_name, locale=p.locale, timezone=p.timezone
        )

    def told(self, team: str, user: str) -> Locale | None:
        """The person's language as Slack last said it (users.info), if it was asked."""
        p = self.chat.known_profile(team, user)
        return p.locale if p is not None and p.locale else None

    def text(self, team: str, user: str, key: str, **params: str | int) -> str:
        """For texts shown before the person's intervention is read: Slack's word on them."""
        return self.bot.line(self.told(team, user), key, **params)

    async def tell(
        self, body: dict[str, Any], respond: Respond | None, key: str, **params: str | int
    ) -> None:
        """One line for the person who acted: through the response_url when Slack gave one
        (a message's button), else in their DM (a button of the Home tab or of a modal)."""
        team, user = who(body)
        line = _text(self.text(team, user, key, **params))
        if respond is not None and body.get("response_url"):
            await respond(ephemeral(line))
        else:
            await self._dm_all(team, user, (line,))

    async def _respond_all(self, respond: Respond, replies: tuple[OutMessage, ...]) -> None:
        for reply in fit(replies, 5):  # a response_url takes at most five posts
            await respond(ephemeral(reply))

    async def _dm_all(self, team: str, user: str, replies: tuple[OutMessage, ...]) -> None:
        ref = UserRef("slack", team, UserId(user))
        for reply in replies:
            try:
                await self.chat.send_direct(ref, reply)
            except DeliveryError as error:
                log.warning("reply to %s not delivered: %s", user, error.reason)

    # --- inputs -------------------------------------------------------------------------------

    async def command(self, body: dict[str, Any], raw: str, respond: Respond) -> None:
        event = parse_command(body, raw)
        event = dataclasses.replace(event, meta=await self.enrich(event.meta))
        handled = await self.bot.handle(event)
        await self._respond_all(respond, handled.replies)

    def acked_action(self, body: dict[str, Any], respond: Respond | None) -> None:
        """Called right after the ack: a modal opens at once, anything else waits its turn."""
        parsed = parse_action(body)
        if isinstance(parsed, OpenAnswer):
            self.spawn(self.open_answer(parsed, body, respond), body, respond)
            return
        if isinstance(parsed, OpenNote):
            self.spawn(self.open_note(parsed, body, respond), body, respond)
            return
        self.queued(partial(self.action, parsed, body, respond), body, respond, lane=who(body))

    async def action(
        self, parsed: ChoiceMade | None, body: dict[str, Any], respond: Respond | None
    ) -> None:
        if parsed is None:
            log.warning("slack: a button this bot did not render was pressed; told the person")
            await self.tell(body, respond, "error.unknown_action")
            return
        event = dataclasses.replace(parsed, meta=await self.enrich(parsed.meta))
        handled = await self.bot.handle(event)
        if respond is None or not body.get("response_url"):
            team, user = who(body)
            await self._dm_all(team, user, handled.replies)
        else:
            await self._respond_all(respond, handled.replies)

    async def open_answer(
        self, ask: OpenAnswer, body: dict[str, Any], respond: Respond | None
    ) -> None:
        # The trigger lives 3 s: one DB read, then views.open; users.info comes after.
        user = ask.meta.user or ""
        form = await self.bot.answer_form(ask.intervention, ask.round_key, user)
        if form is None:
            await self.tell(body, respond, "error.round_closed_for_answers", round=ask.round_key)
            return
        view = answer_view(form)  # in the person's language, their own choice first
        client = await self.chat.client_for(ask.meta.workspace)
        try:
            await client.views_open(trigger_id=ask.trigger_id, view=view)
        except SlackApiError as error:
            log.warning("views.open: %s", error.response.get("error"))
            await self.tell(body, respond, "error.unknown_action")
        await self.profile(ask.meta.workspace, user)

    async def open_note(self, ask: OpenNote, body: dict[str, Any], respond: Respond | None) -> None:
        """A safety form (private line, an answer to it, a flag): one read, then views.open."""
        user = ask.meta.user or ""
        told = self.told(ask.meta.workspace, user)
        form = await self.bot.safety_form(ask.intervention, ask.button, ask.value, user, told)
        if form is None:
            await self.tell(body, respond, "error.unknown_action")
            return
        client = await self.chat.client_for(ask.meta.workspace)
        try:
            await client.views_open(trigger_id=ask.trigger_id, view=note_view(form))
        except SlackApiError as error:
            log.warning("views.open: %s", error.response.get("error"))
            await self.tell(body, respond, "error.unknown_action")

    async def note(self, body: dict[str, Any]) -> None:
        """A safety form came back: its confirmation (and the help) reach the person privately."""
        try:
            event = parse_note(body)
        except Unreadable as problem:
            log.warning("slack: a safety form could not be read: %s", problem.reason)
            await self.tell(body, None, "error.unreadable_input")
            return
        if event is not None:
            await self.in_dm(event, body)

    async def checked_submission(
        self, body: dict[str, Any]
    ) -> tuple[AnswerSubmitted | None, dict[str, str] | None]:
        """An answer form, read once before the ack: its event, and the problems shown under
        their inputs, the modal staying open with what was typed: what cannot be read, then
        what the engine's validator refuses (one read of the state)."""
        event, unreadable = parse_submission(body)
        team, user = who(body)
        told = self.told(team, user)
        lines = {e.block_id: Line(e.key, e.params) for e in unreadable}
        if event is None:
            errors = {b: self.bot.line(told, n.key, **n.params) for b, n in lines.items()}
        else:
            try:
                checked = await self.bot.form_errors(event, told, lines)
            except Exception:
                log.exception("answer check before the ack failed; the runner checks again")
                return event, None
            errors = dict(checked.unreadable)
            blocks = input_blocks(body)
            for prompt_key, said in checked.by_prompt.items():
                if prompt_key in blocks:
                    errors.setdefault(blocks[prompt_key], said)
        return event, errors or None

    async def in_dm(self, event: AnswerSubmitted | NoteSubmitted, body: dict[str, Any]) -> None:
        """A modal's input: Slack gives no response_url, so the replies go to the person's DM."""
        event = dataclasses.replace(event, meta=await self.enrich(event.meta))
        handled = await self.bot.handle(event)
        team, user = who(body)
        await self._dm_all(team, user, handled.replies)

    async def direct(self, body: dict[str, Any]) -> None:
        """Someone wrote to the bot in its DM: they get what waits for them (or what the bot
        is), in their language. What they wrote is never read, kept nor logged."""
        written = parse_direct(body)
        if written is None or not written.event_id:
            return
        profile = await self.profile(written.team, written.user)  # their language
        replies = await self.bot.direct_answer(
            "slack", written.team, written.user, written.event_id, profile.locale
        )
        await self._dm_all(written.team, written.user, replies)

    async def home(self, body: dict[str, Any]) -> None:
        opened = parse_home_opened(body)
        if opened is None or opened.meta.user is None:
            return
        meta = await self.enrich(opened.meta)
        # Slack may deliver the event again: the same dedupe table as the runner's.
        if not await self.bot.first_time("slack", meta.event_id):
            return
        view = home_view(await self.bot.home(meta))
        client = await self.chat.client_for(meta.workspace)
        await client.views_publish(user_id=str(meta.user), view=view)


def _text(text: str) -> OutMessage:
    return OutMessage((Segment(text),))


def build_bolt(edge: SlackEdge, signing_secret: str, **bolt_options: Any) -> AsyncApp:
    """The bolt app, behind the gate (gate.py): in HTTP mode the gate verifies each request's
    signature, on the bytes Slack signed, and hands bolt the payload it checked; in Socket
    Mode the WebSocket itself is authenticated. Every action, view and event gets an answer,
    ours or not: what the bot did not render is told so, never left to fail."""
    bolt = AsyncApp(
        client=edge.client,
        signing_secret=signing_secret,
        process_before_response=False,
        request_verification_enabled=False,
        **bolt_options,
    )

    @bolt.command(re.compile(r"^/tst"))
    async def on_command(ack: Any, body: dict[str, Any], request: Any, respond: Any) -> None:
        await ack()
        work = partial(edge.command, body, request.raw_body, respond)
        edge.queued(work, body, respond, lane=who(body))

    @bolt.action(re.compile(""))  # every action id: one the bot did not render is told so
    async def on_action(ack: Any, body: dict[str, Any], respond: Any) -> None:
        await ack()
        edge.acked_action(body, respond)

    @bolt.view(ANSWER_CALLBACK)
    async def on_submit(ack: Any, body: dict[str, Any]) -> None:
        try:
            event, errors = await edge.checked_submission(body)
        except Unreadable as problem:
            log.warning("slack: an answer form could not be read: %s", problem.reason)
            await ack(response_action="update", view=_notice(edge, body, "error.unreadable_input"))
            return
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        await ack()
        if event is not None:
            edge.queued(partial(edge.in_dm, event, body), body, lane=who(body))

    @bolt.view(NOTE_CALLBACK)
    async def on_note(ack: Any, body: dict[str, Any]) -> None:
        await ack()
        edge.queued(partial(edge.note, body), body, lane=who(body))

    @bolt.view(re.compile(""))
    async def on_other_view(ack: Any, body: dict[str, Any]) -> None:
        log.warning("slack: a view this bot did not open was submitted; told the person")
        await ack(response_action="update", view=_notice(edge, body, "error.unknown_action"))

    @bolt.event("app_home_opened")
    async def on_home(body: dict[str, Any]) -> None:
        edge.queued(partial(edge.home, body), {})

    @bolt.event("message")
    async def on_message(body: dict[str, Any]) -> None:
        team, user = str(body.get("team_id")), str(body["event"].get("user"))
        person = {"team_id": team, "user_id": user}  # as `_who` reads it, to tell them
        edge.queued(partial(edge.direct, body), person, lane=(team, user))

    @bolt.event("app_uninstalled")
    @bolt.event("tokens_revoked")
    async def on_removed(body: dict[str, Any]) -> None:
        edge.queued(
            partial(removed, edge.workspace_removed, edge.chat, edge.installations, body), {}
        )

    @bolt.event(re.compile(""))
    async def on_other_event(body: dict[str, Any]) -> None:
        return None  # acknowledged, so Slack does not send it again

    return bolt


def _notice(edge: SlackEdge, body: dict[str, Any], key: str) -> dict[str, Any]:
    return notice_view(edge.text(*who(body), key))
