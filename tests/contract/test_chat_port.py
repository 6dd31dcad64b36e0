"""The ChatPort contract: every platform's port (memory, Slack, Discord with threads or with
private channels) does the same thing with the same call, as the people on it see it."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from chat_ports import PLATFORMS, Harness, describe, harness, languages_of

from bot.core.ports import Attachment, DeliveryError, OutButton, OutMessage, Segment

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
PERSON_GONE = {"dm_closed", "account_inactive", "gone"}


def says(text: str, *buttons: OutButton, files: tuple[Attachment, ...] = ()) -> OutMessage:
    return OutMessage((Segment(text),), tuple(buttons), files=files)


@pytest.fixture(params=PLATFORMS)
async def chat(request: pytest.FixtureRequest) -> AsyncIterator[Harness]:
    async for found in harness(request.param):
        yield found


async def test_a_direct_message_reaches_the_person_alone(chat: Harness) -> None:
    ana, ben = chat.person("ana"), chat.person("ben")
    ref = await chat.port.send_direct(ana, says("Bonjour Ana, voici la consigne"))
    await chat.port.send_direct(ben, says("Bonjour Ben"))

    assert chat.texts_in(ref.conversation) == ["Bonjour Ana, voici la consigne"]
    assert ref.conversation.platform == chat.channel.platform
    assert ref.conversation != chat.channel


async def test_two_direct_messages_to_one_person_land_in_one_conversation(chat: Harness) -> None:
    ana = chat.person("ana")
    first = await chat.port.send_direct(ana, says("Première étape"))
    second = await chat.port.send_direct(ana, says("Deuxième étape"))

    assert first.conversation == second.conversation
    assert first.message_id != second.message_id
    assert chat.texts_in(first.conversation) == ["Première étape", "Deuxième étape"]


async def test_a_post_reaches_the_channel_in_order(chat: Harness) -> None:
    first = await chat.port.post(chat.channel, says("Le tour « confiance » est ouvert"))
    await chat.port.post(chat.channel, says("Le tour est clos"))

    assert first.conversation == chat.channel
    assert chat.texts_in(chat.channel) == ["Le tour « confiance » est ouvert", "Le tour est clos"]


async def test_an_edit_replaces_the_message_where_it_stands(chat: Harness) -> None:
    ref = await chat.port.post(chat.channel, says("3 personnes n'ont pas encore répondu"))
    await chat.port.post(chat.channel, says("Un autre message"))
    await chat.port.edit(ref, says("Tout le monde a répondu"))

    assert chat.texts_in(chat.channel) == ["Tout le monde a répondu", "Un autre message"]


async def test_a_direct_message_can_be_edited_too(chat: Harness) -> None:
    ana = chat.person("ana")
    ref = await chat.port.send_direct(
        ana, says("Réponds quand tu veux", OutButton("tst:1:answer", "Répondre"))
    )
    await chat.port.edit(ref, says("Merci, ta réponse est notée"))

    seen = chat.seen_in(ref.conversation)
    assert [s.text for s in seen] == ["Merci, ta réponse est notée"], describe(seen)
    assert seen[0].buttons == []  # the edit's buttons, none: the old ones are gone


async def test_buttons_reach_the_person_with_their_actions_in_order(chat: Harness) -> None:
    ana = chat.person("ana")
    buttons = (
        OutButton("tst:7:consent:accept", "J'accepte", "primary"),
        OutButton("tst:7:consent:decline", "Je refuse", "danger"),
        OutButton("tst:7:answer:trust", "Répondre"),
    )
    ref = await chat.port.send_direct(ana, says("Le cadre de l'intervention", *buttons))

    seen = chat.seen_in(ref.conversation)
    assert [s.buttons for s in seen] == [[b.action_id for b in buttons]], describe(seen)


async def test_a_long_text_arrives_whole_and_in_order(chat: Harness) -> None:
    words = [f"mot{n}" for n in range(1500)]  # ~9,000 characters: over every platform's limit
    lines = "\n".join(" ".join(words[n : n + 12]) for n in range(0, len(words), 12))
    await chat.port.post(chat.channel, says(lines))

    arrived = "".join(chat.texts_in(chat.channel))
    assert re.sub(r"\s", "", arrived) == re.sub(r"\s", "", lines)


async def test_a_file_is_uploaded_with_its_message(chat: Harness) -> None:
    chart = Attachment(
        "barometre.png", PNG, "Baromètre : 4 personnes sur 5 se sentent écoutées", "image/png"
    )
    await chat.port.post(chat.channel, says("Synthèse du tour", files=(chart,)))

    seen = chat.seen_in(chat.channel)
    assert seen and seen[0].text == "Synthèse du tour", describe(seen)
    assert [f for s in seen for f in s.files] == ["barometre.png"]


async def test_a_private_space_is_seen_by_its_members_only(chat: Harness) -> None:
    ana, ben, cleo = chat.person("ana"), chat.person("ben"), chat.person("cleo")
    space = await chat.port.open_space(chat.channel, "Groupe 1", [ana, ben])
    await chat.port.post(space, says("Bienvenue dans votre sous-groupe"))

    assert space != chat.channel
    assert chat.who_sees(space) == {ana.user, ben.user}
    assert cleo.user not in chat.who_sees(space)
    assert chat.texts_in(space) == ["Bienvenue dans votre sous-groupe"]
    assert chat.texts_in(chat.channel) == []  # nothing of the space leaks into the channel
    assert chat.may_write(space, ana)


async def test_two_spaces_are_two_conversations(chat: Harness) -> None:
    ana, ben = chat.person("ana"), chat.person("ben")
    one = await chat.port.open_space(chat.channel, "Groupe 1", [ana])
    two = await chat.port.open_space(chat.channel, "Groupe 2", [ben])
    await chat.port.post(one, says("Pour le groupe 1"))

    assert one != two
    assert chat.who_sees(two) == {ben.user}
    assert chat.texts_in(two) == []


async def test_a_closed_space_keeps_its_history_and_takes_no_more_writing(chat: Harness) -> None:
    ana, ben = chat.person("ana"), chat.person("ben")
    space = await chat.port.open_space(chat.channel, "Groupe 1", [ana, ben])
    await chat.port.post(space, says("Synthèse du groupe"))
    await chat.port.close_space(space)

    assert not chat.may_write(space, ana)
    assert not chat.may_write(space, ben)
    assert chat.texts_in(space) == ["Synthèse du groupe"]


async def test_a_person_out_of_reach_is_a_permanent_failure_that_names_them(
    chat: Harness,
) -> None:
    ana = chat.person("ana")
    chat.shut_out(ana)
    with pytest.raises(DeliveryError) as refused:
        await chat.port.send_direct(ana, says("Le cadre de l'intervention"))

    assert refused.value.permanent
    assert refused.value.cause in PERSON_GONE


async def test_a_channel_without_the_bot_is_a_permanent_membership_failure(
    chat: Harness,
) -> None:
    elsewhere = chat.channel_without_bot()
    with pytest.raises(DeliveryError) as refused:
        await chat.port.post(elsewhere, says("Le tour est ouvert"))

    assert refused.value.permanent
    assert refused.value.cause == "not_in_channel"
    assert chat.texts_in(elsewhere) == []


async def test_a_port_that_knows_languages_reports_the_persons(chat: Harness) -> None:
    port = languages_of(chat.port)
    if port is None:
        pytest.skip(f"{chat.channel.platform} tells the language with each interaction instead")
    ana, ben = chat.person("ana", "fr"), chat.person("ben", "en")
    assert [await port.locale_of(p) for p in (ana, ben)] == ["fr", "en"]
