"""Refusals heard: after "je passe" or "pas maintenant", what would make it possible, in one
line, for the facilitators only and without a name; per round, how many passed."""

from __future__ import annotations

from bot.core.commands import Command
from bot.core.effects import Button, Message, UserText
from bot.core.model import Intervention, UserId
from bot.flows.context import Ctx
from bot.flows.spec import base_key

MAX_LINE = 300


def passed(state: Intervention, key: str) -> int:
    """People whose every answer in an open round is a skip: they said "je passe"."""
    mine: dict[UserId, bool] = {}
    for r in state.responses.values():
        if r.round_key == key:
            mine[r.author] = mine.get(r.author, True) and r.skipped
    return sum(1 for all_skipped in mine.values() if all_skipped)


def counts(state: Intervention, key: str) -> Message:
    """For the facilitators, per open round: how many passed, how many wait after "not now".
    Under full anonymity a count below k is withheld, as answers below k are."""
    rnd = state.rounds[key]
    said_pass, deferred = passed(state, key), len(rnd.deferred)
    k = state.k_anonymity_min
    if state.anonymity == "full" and any(0 < n < k for n in (said_pass, deferred)):
        return Message("status.refusals_withheld", {"round": key, "k": k})
    return Message("status.refusals", {"round": key, "passed": said_pass, "deferred": deferred})


def ask(ctx: Ctx, before: Intervention, after: Intervention, round_key: str) -> None:
    """Once per refusal: an optional question to the person alone. It comes with the reply that
    acknowledges the refusal, not as a message of its own: passing adds nothing to their DMs."""
    if after is before or ctx.actor is None:
        return
    said = (Button("possible", "button.say_possible", round_key),)
    ctx.reply("refusal.ask", said, round=round_key, round_id=round_key)


def condition(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
    """`/tst round possible <round> <one line>`, the typed twin of the form behind the button."""
    word, _, line = cmd.text.partition(" ")
    return relay(ctx, state, word, line)


def relay(ctx: Ctx, state: Intervention, word: str, line: str) -> Intervention:
    """What would make an answer possible, relayed to the facilitators without the author's
    name, and not stored: nothing exported can tie it to the person who passed."""
    line = " ".join(line.split())  # one line, whatever was typed
    rnd = state.rounds.get(word) or next(
        (r for k, r in sorted(state.rounds.items()) if base_key(k) == word), None
    )
    user = ctx.actor
    if rnd is None or user is None or user not in rnd.recipients:
        ctx.refuse("error.refusal_syntax")
    said_pass = any(
        r.round_key == rnd.key and r.author == user and r.skipped for r in state.responses.values()
    )
    if not line:
        ctx.refuse("error.refusal_syntax")
    if len(line) > MAX_LINE:
        ctx.refuse("error.too_long", limit=MAX_LINE)
    if rnd.status != "open" or not (said_pass or user in rnd.deferred):
        ctx.refuse("error.refusal_not_passed", round=rnd.key)
    line_text = UserText(line)
    # Relayed like the safety line: through a pause, and blanked in the outbox once delivered.
    for facilitator in state.facilitators():
        ctx.relay(facilitator, Message("refusal.condition", {"round": rnd.key, "line": line_text}))
    ctx.reply("refusal.sent")
    return state
