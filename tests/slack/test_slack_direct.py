"""Slack: a message typed to the bot in its DM is answered, over signed `message.im` events,
with the person's waiting prompts (their buttons open the form) or, when nothing waits, what
the bot is and `/tst help`, in the person's language. The bot's own messages, edits, messages
elsewhere and Slack's retries get nothing; what was written is never logged."""

from __future__ import annotations

import json
import logging

import pytest
from slack_world import ANA, BEN, FAC, SlackWorld

from bot.i18n.typography import typeset

ABOUT = {
    "fr": "Je suis tst, le bot qui accompagne votre animateur ou animatrice",
    "en": "I am tst, the bot that assists your facilitator",
}
WAITING_FR = typeset("Voici ce qui attend votre réponse (1) :", "fr")


def dm_texts(world: SlackWorld, user: str) -> list[str]:
    return [
        json.dumps(m["blocks"], ensure_ascii=False)
        for m in world.fake.messages_in(world.fake.dm_of(user))
    ]


async def write(world: SlackWorld, user: str, text: str, /, **event: object) -> list[str]:
    """What the bot answered in the DM after `user` wrote `text` there."""
    before = len(dm_texts(world, user))
    reply = await world.slack.dm(user, text, **event)
    assert reply.status == 200
    await world.settle()
    return dm_texts(world, user)[before:]


@pytest.mark.parametrize(("locale", "lang"), [("fr-FR", "fr"), ("en-GB", "en")])
async def test_someone_in_no_intervention_learns_what_the_bot_is(
    world: SlackWorld, locale: str, lang: str
) -> None:
    world.fake.add_user("UNEW", "Noa", locale=locale)
    answered = await write(world, "UNEW", "bonjour ?")
    assert len(answered) == 1
    assert ABOUT[lang] in answered[0] and "/tst" in answered[0]


async def test_a_waiting_prompt_comes_back_with_the_button_that_opens_it(
    world: SlackWorld,
) -> None:
    await world.start_with_people()
    await world.cmd("round open intake")
    await world.answer(BEN, "trust.intake", {"trust.hope": "du calme"})

    answered = await write(world, ANA, "je réponds où ?")
    assert len(answered) == 2 and WAITING_FR in answered[0]
    assert ":answer:trust.intake" in answered[1]
    opened = len(world.fake.views)
    await world.click(ANA, "answer", "trust.intake")  # the newest such button: this one
    assert len(world.fake.views) == opened + 1

    # Ben has answered: nothing waits for him.
    assert ABOUT["fr"] in (await write(world, BEN, "merci"))[0]


async def test_the_frame_not_yet_accepted_is_what_waits(world: SlackWorld) -> None:
    await world.cmd("start Équipe")
    await world.cmd(f"invite <@{ANA}|ana>")
    answered = await write(world, ANA, "c'est quoi ?")
    assert len(answered) == 2 and ":consent:accept" in answered[1]


@pytest.mark.parametrize(
    "event",
    [
        {"bot_id": "BUBOT", "user": "UBOT"},  # the bot's own message (bolt drops it too)
        {"subtype": "message_changed"},  # an edit
        {"subtype": "message_deleted"},
        {"channel_type": "channel", "channel": "C1"},  # a message in a channel
        {"channel_type": "mpim", "channel": "G1"},  # a group DM
    ],
)
async def test_nothing_but_a_person_writing_in_the_dm_is_answered(
    world: SlackWorld, event: dict[str, str]
) -> None:
    said = ("chat.postMessage", "conversations.open")
    before = [len(world.fake.called(m)) for m in said]
    await write(world, FAC, "texte", **event)
    assert [len(world.fake.called(m)) for m in said] == before  # nothing, to no one


async def test_a_retried_event_is_answered_once(world: SlackWorld) -> None:
    body = {
        "type": "message",
        "channel": world.fake.dm_of(FAC),
        "user": FAC,
        "text": "allo",
        "ts": "1.0",
        "channel_type": "im",
    }
    await world.slack.event(body, event_id="Ev1")
    await world.slack.event(body, event_id="Ev1", retry_num=1)
    await world.settle()
    assert len(dm_texts(world, FAC)) == 1


async def test_what_was_written_is_never_logged(
    world: SlackWorld, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await write(world, FAC, "mon secret 4821")
    assert "4821" not in caplog.text
