"""The group's safety levers beside the private line (TST §3.3-3.4): a time-out request, a
flag on a published item that only a facilitator may act on, the facilitators' inbox and its
counts. Nothing here judges, scores or takes anything down by itself."""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.core.commands import Command
from bot.core.effects import Audit, Button, Message, ParamValue, UserText, Withdraw
from bot.core.events import NoteSubmitted
from bot.core.model import FLAG_REASONS, Intervention, RequestKind, SafetyRequest
from bot.flows import line, pause
from bot.flows.board import board_message
from bot.flows.context import Ctx
from bot.flows.line import MAX_WORD, checked, choice_of, help_reply, member_of, sender, word_of


@dataclass(frozen=True, slots=True)
class SafetyCounts:
    """What the facilitators' status and report show of the safety line: counts, no more."""

    threads: int
    messages: int
    replies: int
    waiting: int
    timeouts: int
    timeouts_open: int
    flags: int
    flags_open: int
    withdrawn: int

    @property
    def any(self) -> bool:
        return bool(self.threads or self.timeouts or self.flags)


def counts(state: Intervention) -> SafetyCounts:
    def of(kind: RequestKind, *statuses: str) -> int:
        return sum(1 for r in state.requests if r.kind == kind and r.status in statuses)

    return SafetyCounts(
        threads=len(state.lines),
        messages=sum(t.received for t in state.lines),
        replies=sum(t.answered for t in state.lines),
        waiting=sum(1 for t in state.lines if t.waiting and t.pad),
        timeouts=of("timeout", "open", "handled"),
        timeouts_open=of("timeout", "open"),
        flags=of("flag", "open", "handled", "withdrawn"),
        flags_open=of("flag", "open"),
        withdrawn=of("flag", "withdrawn"),
    )


# -- time-outs -------------------------------------------------------------------------------


def _request(
    state: Intervention, kind: RequestKind, target: str, reason: str = ""
) -> SafetyRequest:
    rid = max((r.id for r in state.requests), default=0) + 1
    return SafetyRequest(rid, kind, "open", target, reason)


def timeout_command(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
    """`/tst tempsmort [nom|anonyme] [mot]`: a participant asks for one (without a name unless
    they say "nom"); a facilitator who types it pauses the group."""
    if state.is_facilitator(ctx.actor):
        return _pause_as_facilitator(ctx, state)
    named, used = choice_of(cmd.words)
    word = " ".join(cmd.text.split(None, used)[used:]) if used else cmd.text
    return ask_timeout(ctx, state, "named" if named else "anonymous", word)


def ask_timeout(ctx: Ctx, state: Intervention, choice: str, word: str = "") -> Intervention:
    """The "Time-out" button (`choice` "" asks with or without a name first), or the command."""
    member = member_of(ctx, state)
    if member.is_facilitator:
        return _pause_as_facilitator(ctx, state)
    if choice == "":
        ctx.reply(
            "timeout.choose",
            (
                Button("timeout", "button.with_my_name", "named"),
                Button("timeout", "button.without_my_name", "anonymous", "primary"),
            ),
        )
        return state
    if choice not in ("named", "anonymous"):
        ctx.refuse("error.unknown_action")
    word = checked(ctx, word, MAX_WORD, required=False)
    if state.status == "paused":
        ctx.reply("timeout.already_paused")
        help_reply(ctx, state)
        return state
    request = _request(state, "timeout", state.step or "")
    rid = str(request.id)
    alert = Message(
        "timeout.asked",
        {
            "id": request.id,
            "step": state.step or "none",
            "sender": sender(member, choice == "named"),
            "word": word_of(word),
        },
        buttons=(
            Button("pausenow", "button.pause_now", rid, "danger"),
            Button("handled", "button.handled", rid),
        ),
    )
    for facilitator in state.facilitators():
        ctx.relay(facilitator, alert)
    ctx.reply("timeout.sent")
    help_reply(ctx, state)
    return replace(state, requests=(*state.requests, request))


def _pause_as_facilitator(ctx: Ctx, state: Intervention) -> Intervention:
    paused = pause.pause(ctx, state)
    assert ctx.actor is not None
    ctx.add(Audit(ctx.actor, "pause", ""))
    return paused


def pause_now(ctx: Ctx, state: Intervention, value: str) -> Intervention:
    """ "Pause now" under a time-out request: the group pauses, the request is answered."""
    if not state.is_facilitator(ctx.actor):
        ctx.refuse("error.facilitator_only")
    if state.status == "paused":
        ctx.reply("timeout.already_paused_facilitator")
        return _settled(state, value, "handled")
    return _settled(_pause_as_facilitator(ctx, state), value, "handled")


# -- flags -----------------------------------------------------------------------------------


def flag(ctx: Ctx, state: Intervention, note: NoteSubmitted) -> Intervention:
    """A published item flagged in private, with an optional word: the facilitators decide.
    Nothing is taken down, hidden or reworded by the flag itself."""
    member = member_of(ctx, state)
    if note.reason not in FLAG_REASONS:
        ctx.refuse("error.flag_reason")
    word = checked(ctx, note.text, MAX_WORD, required=False)
    kind, _, key = note.value.partition(":")
    base: dict[str, ParamValue] = {
        "reason": note.reason,
        "sender": sender(member, note.named),
        "word": word_of(word),
    }
    if kind == "synthesis":
        synthesis = state.syntheses.get(key)
        rnd = state.rounds.get(key)
        if synthesis is None or rnd is None or not rnd.published or synthesis.withdrawn:
            ctx.refuse("error.flag_unknown_item")
        request = _request(state, "flag", note.value, note.reason)
        alert = Message("flag.raised_synthesis", {"id": request.id, "round": key, **base})
    elif kind == "board" and key.isdigit():
        item = next((b for b in state.board if b.id == int(key)), None)
        if item is None or item.status == "withdrawn":
            ctx.refuse("error.flag_unknown_item")
        request = _request(state, "flag", note.value, note.reason)
        alert = Message(
            "flag.raised_board",
            {"id": request.id, "item": item.id, "text": UserText(item.text), **base},
        )
    else:
        ctx.refuse("error.flag_unknown_item")
    rid = str(request.id)
    alert = replace(
        alert,
        buttons=(
            Button("withdraw", "button.withdraw", rid, "danger"),
            Button("handled", "button.keep", rid),
        ),
    )
    for facilitator in state.facilitators():
        ctx.relay(facilitator, alert)
    ctx.reply("flag.sent")
    help_reply(ctx, state)
    return replace(state, requests=(*state.requests, request))


def withdraw(ctx: Ctx, state: Intervention, value: str) -> Intervention:
    """A facilitator takes a flagged item down: the bot edits its own messages, the stored
    synthesis loses its words (or the board item its text), one audit line says "withdrawn"."""
    if not state.is_facilitator(ctx.actor):
        ctx.refuse("error.facilitator_only")
    request = state.request(int(value)) if value.isdigit() else None
    if request is None or request.kind != "flag":
        ctx.refuse("error.unknown_request")
    if request.status == "withdrawn":
        ctx.reply("flag.already_withdrawn")
        return state
    kind, _, key = request.target.partition(":")
    if kind == "synthesis" and key in state.syntheses:
        taken = replace(state.syntheses[key], prompts=(), withdrawn=True)
        state = replace(state, syntheses={**state.syntheses, key: taken})
        ctx.add(
            Withdraw(
                request.target, Message("synthesis.withdrawn", {"round": key}), cancel_waiting=True
            )
        )
    elif kind == "board" and key.isdigit():
        board = tuple(
            replace(b, text="", status="withdrawn") if b.id == int(key) else b for b in state.board
        )
        state = replace(state, board=board)
        # Board messages show the whole board: each is shown again, without the item.
        ctx.add(Withdraw("board", board_message()))
    assert ctx.actor is not None
    ctx.add(Audit(ctx.actor, "withdrawn", request.target))
    ctx.reply("flag.withdrawn_reply", id=request.id)
    requests = tuple(
        replace(r, status="withdrawn")
        if r.kind == "flag" and r.target == request.target and r.status != "withdrawn"
        else r
        for r in state.requests
    )
    return replace(state, requests=requests)


def settle(ctx: Ctx, state: Intervention, value: str) -> Intervention:
    """ "Handled" (a time-out) or "Keep" (a flag): the request leaves the open ones."""
    if not state.is_facilitator(ctx.actor):
        ctx.refuse("error.facilitator_only")
    request = state.request(int(value)) if value.isdigit() else None
    if request is None:
        ctx.refuse("error.unknown_request")
    if request.status != "open":
        ctx.reply("request.already_settled", id=request.id)
        return state
    ctx.reply("request.settled_reply", id=request.id)
    return _settled(state, value, "handled")


def _settled(state: Intervention, value: str, status: str) -> Intervention:
    return replace(
        state,
        requests=tuple(
            replace(r, status=status)  # type: ignore[arg-type]
            if str(r.id) == value and r.status == "open"
            else r
            for r in state.requests
        ),
    )


# -- the facilitators' inbox -----------------------------------------------------------------

INBOX_SHOWN = 4  # Slack lets a command answer five times: the summary and four requests


def inbox(ctx: Ctx, state: Intervention) -> Intervention:
    """What waits for a facilitator: counts, then the open requests with their buttons. Line
    messages are answered from the private message that carried them (the only place the way
    back to an anonymous writer exists)."""
    if not state.is_facilitator(ctx.actor):
        ctx.refuse("error.facilitator_only")
    c = counts(state)
    ctx.reply(
        "inbox.summary",
        threads=c.threads,
        waiting=c.waiting,
        timeouts=c.timeouts_open,
        flags=c.flags_open,
        withdrawn=c.withdrawn,
    )
    open_requests = [r for r in state.requests if r.status == "open"]
    for r in open_requests[:INBOX_SHOWN]:
        rid = str(r.id)
        if r.kind == "timeout":
            ctx.reply(
                "inbox.timeout",
                (
                    Button("pausenow", "button.pause_now", rid, "danger"),
                    Button("handled", "button.handled", rid),
                ),
                id=r.id,
                step=r.target or "none",
            )
            continue
        kind, _, key = r.target.partition(":")
        buttons = (
            Button("withdraw", "button.withdraw", rid, "danger"),
            Button("handled", "button.keep", rid),
        )
        if kind == "synthesis":
            ctx.reply("inbox.flag_synthesis", buttons, id=r.id, round=key, reason=r.reason)
        else:
            ctx.reply("inbox.flag_board", buttons, id=r.id, item=key, reason=r.reason)
    if len(open_requests) > INBOX_SHOWN:
        ctx.reply("inbox.more", count=len(open_requests) - INBOX_SHOWN)
    return state


def note(ctx: Ctx, state: Intervention, event: NoteSubmitted) -> Intervention:
    """A safety form came back: which one decides what it means."""
    match event.action:
        case "line":
            return line.write(ctx, state, event.text, event.named, event.value)
        case "lreply":
            return line.answer(ctx, state, event.value, event.text)
        case "flag":
            return flag(ctx, state, event)
    ctx.refuse("error.unknown_action")
