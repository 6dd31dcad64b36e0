"""Errors are seen on Discord: an interaction that fails after its ack is logged at ERROR with
its request id, and the person reads, in their language, that nothing was lost."""

from __future__ import annotations

import re

import pytest
from discord_world import World
from injected_faults import ENGLISH, FRENCH, errors, fail_next_input


@pytest.mark.parametrize(("locale", "expected"), [("fr", FRENCH), ("en-US", ENGLISH)])
async def test_a_command_that_fails_is_told_in_the_persons_language_and_logged(
    started: World,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    locale: str,
    expected: str,
) -> None:
    w = started
    fail_next_input(w.app.runner, monkeypatch)
    (told,) = await w.slash(w.fac, "status", locale=locale)
    assert told.startswith(expected)
    (logged,) = errors(caplog)
    assert logged.exc_info is not None and "injected fault" in str(logged.exc_info[1])
    assert re.search(r"\(request [0-9a-f]{12}\)$", logged.getMessage())
    (status, *_rest) = await w.slash(w.fac, "status", locale=locale)
    assert "Équipe" in status  # nothing was lost


async def test_a_button_that_fails_is_told_too(
    started: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    w = started
    ana = w.people["ana"]
    await w.slash(w.fac, "round open", "trust.barometer")
    skip = next(b for b in w.buttons(ana) if b.endswith(":skip:trust.barometer"))
    fail_next_input(w.app.runner, monkeypatch)
    iid = await w.click(ana, skip)
    assert [r.get("content", "") for r in w.fake.replies(iid)][-1].startswith(FRENCH)
    assert len(errors(caplog)) == 1
