"""`/tst report` on Slack: the reports arrive as files in the facilitator's DM through Slack's
external upload flow, with a one-line summary; the fake refuses what Slack refuses."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import aiohttp
from slack_world import ANA, BEN, CLEO, FAC, SlackWorld

ROUND = "trust.barometer"


class Headings(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("h1", "h2", "h3"):
            self.found.append(tag)


async def _closed_round(world: SlackWorld) -> None:
    await world.start_with_people()
    await world.cmd(f"round open {ROUND}")
    for n, person in enumerate((ANA, BEN, CLEO)):
        await world.answer(person, ROUND, {"barometer.level": str(3 + n % 2)})
    await world.cmd(f"round close {ROUND}")
    await world.cmd(f"publish {ROUND}")


async def test_the_reports_arrive_as_files_in_the_facilitators_dm(world: SlackWorld) -> None:
    await _closed_round(world)
    await world.cmd("report")
    dm = world.fake.dm_of(FAC)
    files = world.fake.files_in(dm)
    names = sorted(f["filename"] for f in files)
    assert sorted(n.rsplit(".", 1)[1] for n in names) == ["csv", "html", "html"]
    assert any("groupe" in n for n in names) and any("facilitation" in n for n in names)
    # Each file went through the three steps: announced, uploaded whole, completed.
    for f in files:
        assert f["uploaded"] and f["size"] == f["length"] and f["title"]
    assert len(world.fake.called("files.getUploadURLExternal")) == 3
    assert len(world.fake.called("files.completeUploadExternal")) == 1
    page = next(f for f in files if "groupe" in f["filename"] and f["filename"].endswith(".html"))
    parser = Headings()
    parser.feed(page["data"].decode())
    assert parser.found.count("h1") == 1 and "h3" in parser.found
    # One line says what came, in the facilitator's language; no report text in the chat.
    summary = [m for m in world.fake.messages_in(dm) if "rapport" in m["text"].lower()]
    assert summary and all("\n" not in m["text"].strip() for m in summary)
    assert all(n in summary[-1]["text"] for n in names)


async def test_markdown_on_request(world: SlackWorld) -> None:
    await _closed_round(world)
    await world.cmd("report md")
    names = sorted(f["filename"] for f in world.fake.files_in(world.fake.dm_of(FAC)))
    assert len(names) == 2 and all(n.endswith(".md") for n in names)


async def test_the_fake_refuses_an_upload_slack_would_refuse(world: SlackWorld) -> None:
    """Completing before uploading, a length that does not match, a file of another
    workspace, an unknown channel: each is an error, as on Slack."""
    fake = world.fake
    token = {"Authorization": "Bearer xoxb-test"}
    async with aiohttp.ClientSession() as http:

        async def call(method: str, **params: str) -> dict[str, object]:
            url = f"{fake.base_url}{method}"
            async with http.post(url, data=params, headers=token) as r:
                answer: dict[str, object] = await r.json()
                return answer

        assert (await call("files.getUploadURLExternal", filename="a.csv"))["error"] == (
            "invalid_arguments"
        )
        got = await call("files.getUploadURLExternal", filename="a.csv", length="5")
        fid, url = str(got["file_id"]), str(got["upload_url"])
        files = json.dumps([{"id": fid, "title": "A"}])
        early = await call("files.completeUploadExternal", files=files, channel_id="D1")
        assert early["error"] == "file_upload_incomplete"
        async with http.post(url, data=b"too long") as r:
            assert r.status == 400
        async with http.post(url, data=b"12345") as r:
            assert r.status == 200
        lost = await call("files.completeUploadExternal", files=files, channel_id="CNOPE")
        assert lost["error"] == "channel_not_found"
        fake.add_channel("C9", "elsewhere")
        assert (await call("files.completeUploadExternal", files=files, channel_id="C9"))[
            "error"
        ] == "not_in_channel"
        unknown = json.dumps([{"id": "FNOPE"}])
        assert (await call("files.completeUploadExternal", files=unknown))["error"] == (
            "file_not_found"
        )
        opened = await call("conversations.open", users=FAC)
        dm = str(opened["channel"]["id"])  # type: ignore[index]
        done = await call("files.completeUploadExternal", files=files, channel_id=dm)
        assert done["ok"] is True
        again = await call("files.completeUploadExternal", files=files, channel_id=dm)
        assert again["error"] == "file_not_found"
