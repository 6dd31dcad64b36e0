"""What each interaction does: ack at once, turn it into a core event, show the replies."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from functools import partial
from typing import Any, cast
from zoneinfo import available_timezones

import discord
from discord import app_commands

from bot.adapters.discord import complete, parse, render
from bot.adapters.discord.chat import DiscordChat
from bot.adapters.discord.views import RawModal, buttons_view, interaction_payload
from bot.adapters.input_queue import InputQueue
from bot.core.edge import EdgePort
from bot.core.effects import Handled
from bot.core.events import CHOICES, CONTROL, AnswerSubmitted, ChoiceMade, CommandIssued, EventMeta
from bot.core.model import InterventionId, UserId, UserRef, Visibility
from bot.core.ports import AnswerForm, OutButton
from bot.core.requests import begin_request
from bot.i18n.note_forms import FORM_OF, note_submitted
from bot.i18n.render import action_id

log = logging.getLogger(__name__)
Inter = discord.Interaction[Any]


class Handlers:
    """Interaction handling, over the bot's port for the edge (`bot`, handed over by the
    composition root at start). Multi-page drafts are in memory (text not sent yet is
    never written down): a restart loses an unfinished one. Nothing else is: what a button
    means, and what a closed DM leads to, the engine decides from the database."""

    def __init__(self, chat: DiscordChat, workers: int | None = None) -> None:
        self.chat = chat
        self.bot: EdgePort | None = None
        self.drafts: dict[tuple[str, str, str], dict[str, str | list[str]]] = {}
        # One person's inputs reach the runner in the order they came; different people's
        # side by side, without a bound by default: each answer is a follow-up request, and
        # two workers made a 200-command burst from 50 people answer 1.5-1.7x later.
        self.inputs = InputQueue(workers)

    async def close(self) -> None:
        """Finish the inputs already acknowledged."""
        await self.inputs.close()

    def _bot(self) -> EdgePort:
        assert self.bot is not None, "Handlers used before start()"
        return self.bot

    def _text(self, meta: EventMeta, key: str, **params: str | int) -> str:
        return self._bot().line(meta.locale, key, **params)

    def _form_text(self, form: AnswerForm, key: str, **params: str | int) -> str:
        """Text around a form, in the language the form itself is in (the person's choice
        first, then their Discord's)."""
        return self._bot().line(form.locale, key, **params)

    async def unreadable(self, i: Inter, reason: str) -> None:
        """An interaction the bot cannot read (a button or modal of an earlier version, a
        command from a stale command list): one warning line, and one ephemeral line for the
        person within Discord's window, never "interaction failed"."""
        log.warning("discord: could not read an interaction: %s", reason)
        await self.tell(i, "error.unreadable_input")

    async def tell(self, i: Inter, key: str) -> None:
        """One ephemeral line in the person's language, before or after the ack."""
        text = self._text(parse.meta_from(interaction_payload(i)), key)
        if i.response.is_done():
            await i.followup.send(text, ephemeral=True)
        else:
            await i.response.send_message(text, ephemeral=True)

    async def _say(self, i: Inter, texts: Sequence[str], buttons: Sequence[OutButton] = ()) -> None:
        """Ephemeral replies, after the ack (the deferred "thinking" answer is replaced)."""
        for n, text in enumerate(texts):
            last = n == len(texts) - 1
            view = buttons_view(buttons) if last and buttons else discord.utils.MISSING
            for part in render.chunks(text):
                await i.followup.send(
                    part,
                    ephemeral=True,
                    view=view,
                    allowed_mentions=discord.AllowedMentions.none(),
                )
                view = discord.utils.MISSING

    async def _show(self, i: Inter, handled: Handled | None) -> None:
        if handled is None:
            return
        if not handled.replies:
            await i.delete_original_response()
        for reply in handled.replies:
            await self._say(i, [render.content_of(reply)], reply.buttons)

    # -- slash commands -----------------------------------------------------------------------

    async def command(self, i: Inter, text: str) -> None:
        with self.inputs.reserve(i.user.id) as place:
            # Acknowledge first (rule 6): the runner may take longer than Discord's 3 s.
            await i.response.defer(ephemeral=True, thinking=True)
            place.run(partial(self._command, i, text))

    async def _command(self, i: Inter, text: str) -> None:
        if CONTROL.search(text):
            await self.unreadable(i, "control characters in a command")
            return
        meta = parse.meta_from(interaction_payload(i))
        await self._run(i, CommandIssued(meta, text))

    async def rounds(self, i: Inter, current: str) -> list[app_commands.Choice[str]]:
        return complete.plain(current, self._bot().round_keys())

    async def timezones(self, i: Inter, current: str) -> list[app_commands.Choice[str]]:
        return complete.plain(current, sorted(available_timezones()))

    async def members(self, i: Inter, current: str) -> list[app_commands.Choice[str]]:
        """The people of this channel's intervention (Discord lists a server's members only
        to bots with the privileged members intent, which this bot does without)."""
        meta = parse.meta_from(interaction_payload(i))
        if meta.channel is None:
            return []
        people = await self._bot().members(meta.platform, meta.workspace, meta.channel)
        return complete.members(current, people)

    # -- buttons ------------------------------------------------------------------------------

    async def button(self, i: Inter, iid: str, action: str, value: str) -> None:
        meta = parse.meta_from(interaction_payload(i))
        if action == "answer":
            self.drafts.pop((str(i.user.id), iid, value), None)
            await self._open_page(i, meta, iid, value, 0)
        elif action == "page":
            round_key, _, page = value.rpartition("/")
            if not page.isdigit():
                await self.unreadable(i, "a page button without a page")
                return
            await self._open_page(i, meta, iid, round_key, int(page))
        elif action in FORM_OF:
            await self._open_note(i, meta, iid, action, value)
        elif action in CHOICES:
            with self.inputs.reserve(i.user.id) as place:
                await i.response.defer(ephemeral=True, thinking=True)
                event = ChoiceMade(meta, InterventionId(iid), action, value)
                place.run(partial(self._run, i, event))
        else:
            log.warning("discord: a button with an action this bot does not have")
            await i.response.send_message(self._text(meta, "error.unknown_action"), ephemeral=True)

    async def _run(self, i: Inter, event: Any) -> None:
        async with seen(self, i):  # queued after the ack: its failures are seen here
            await self._show(i, await self._bot().handle(event))

    async def _form(self, i: Inter, iid: str, round_key: str) -> AnswerForm | None:
        return await self._bot().answer_form(iid, round_key, str(i.user.id))

    async def _open_page(
        self, i: Inter, meta: EventMeta, iid: str, round_key: str, page: int
    ) -> None:
        # A modal must be the first response: one quick read, nothing else before it.
        form = await self._form(i, iid, round_key)
        if form is None:
            text = self._text(meta, "discord.error.round_closed")
            await i.response.send_message(text, ephemeral=True)
            return
        count = len(render.pages(form))
        if page >= count:
            await self.unreadable(i, "a page button past the form's last page")
            return
        suffix = f" ({page + 1}/{count})" if count > 1 else ""
        label = self._form_text(form, "discord.visibility_label")
        await i.response.send_modal(RawModal(render.modal(form, page, label, suffix)))

    async def _open_note(
        self, i: Inter, meta: EventMeta, iid: str, button: str, value: str
    ) -> None:
        """A safety form (private line, an answer to it, a flag): the modal is the answer."""
        user = str(i.user.id)
        form = await self._bot().safety_form(iid, button, value, user, meta.locale)
        if form is None:
            await i.response.send_message(self._text(meta, "error.unknown_action"), ephemeral=True)
            return
        await i.response.send_modal(RawModal(render.note_modal(form)))

    # -- modal submissions --------------------------------------------------------------------

    async def modal(self, i: Inter) -> None:
        data = cast(dict[str, Any], i.data or {})
        note = parse.parse_note_modal_id(str(data.get("custom_id", "")))
        if note is not None:
            with self.inputs.reserve(i.user.id) as place:
                await i.response.defer(ephemeral=True, thinking=True)
                place.run(partial(self._note, i, *note))
            return
        target = parse.parse_modal_id(str(data.get("custom_id", "")))
        if target is None:
            await self.unreadable(i, "a modal this bot did not open")
            return
        iid, round_key, page = target
        with self.inputs.reserve(i.user.id) as place:
            await i.response.defer(ephemeral=True, thinking=True)
            place.run(partial(self._submit, i, iid, round_key, page))

    async def _submit(self, i: Inter, iid: str, round_key: str, page: int) -> None:
        data = cast(dict[str, Any], i.data or {})
        meta = parse.meta_from(interaction_payload(i))
        form = await self._form(i, iid, round_key)
        if form is None:
            await self._say(i, [self._text(meta, "discord.error.round_closed")])
            return
        draft_key = (str(i.user.id), iid, round_key)
        draft = self.drafts.setdefault(draft_key, {})
        draft.update(parse.modal_values(data.get("components") or []))
        pages = render.pages(form)
        if page + 1 < len(pages):
            nxt = OutButton(
                action_id(iid, "page", f"{round_key}/{page + 1}"),
                self._form_text(form, "discord.continue", page=page + 2, pages=len(pages)),
                "primary",
            )
            await self._say(i, [self._form_text(form, "discord.page_saved")], [nxt])
            return
        self.drafts.pop(draft_key, None)
        indexes = [n for p in pages for n in p]
        typed = parse.typed_answers(form, indexes, draft)
        if typed.invalid:
            labels = ", ".join(f.label for f in form.fields if f.prompt_key in typed.invalid)
            await self._say(i, [self._form_text(form, "discord.error.unreadable", prompts=labels)])
            return
        visibility = parse.visibility_of(draft)
        event = AnswerSubmitted(
            meta,
            InterventionId(iid),
            round_key,
            typed.answers,
            cast(Visibility | None, visibility),
            typed.left_empty,
        )
        await self._show(i, await self._bot().handle(event))

    async def _note(self, i: Inter, iid: str, action: str, value: str) -> None:
        """A safety form came back: its confirmation (and the help) shown to its sender only."""
        data = cast(dict[str, Any], i.data or {})
        raw = parse.modal_values(data.get("components") or [])

        def one(name: str) -> str:
            got = raw.get(name)
            return (got[0] if got else "") if isinstance(got, list) else (got or "")

        meta = parse.meta_from(interaction_payload(i))
        event = note_submitted(
            meta, iid, action, value, one("text"), one("who"), one("reason"), one("item")
        )
        await self._show(i, await self._bot().handle(event))

    # -- a DM typed to the bot --------------------------------------------------------------------

    async def direct(self, message: discord.Message) -> None:
        """Someone wrote to the bot: they get what waits for them in every guild (or what the
        bot is), in the language they chose there. Their text is never read, kept nor logged;
        a message replayed after a reconnect is answered once."""
        user = UserId(str(message.author.id))
        try:
            replies = await self._bot().direct_answer("discord", None, user, str(message.id))
            for reply in replies:
                await self.chat.send_direct(UserRef("discord", "", user), reply)
        except Exception:
            log.exception("answer to a direct message failed")


@contextlib.asynccontextmanager
async def seen(handlers: Handlers, interaction: Inter) -> AsyncIterator[None]:
    """One interaction, with a request id of its own. An unexpected failure is logged at
    ERROR with that id, and the person told that nothing was lost (the runner's transaction
    rolled back), in their language, rather than Discord's "interaction failed"."""
    rid = begin_request()
    try:
        yield
    except Exception:
        log.exception("discord interaction %s failed (request %s)", interaction.id, rid)
        try:
            await handlers.tell(interaction, "error.unexpected")
        except Exception as error:  # the person cannot be reached either: logged, no more
            log.error("request %s: could not tell the person: %r", rid, error)
