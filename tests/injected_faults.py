"""A fault injected into the runner, for the tests of what people and operators see when an
input fails unexpectedly after its ack (one text for both platforms)."""

from __future__ import annotations

import logging

import pytest

from bot.core.events import Event
from bot.i18n.typography import typeset
from bot.runtime import Handled, Runner

FRENCH = typeset("Un problème est survenu du côté du bot ; rien n'a été perdu.", "fr")
ENGLISH = "Something went wrong on the bot's side; nothing was lost."


def fail_next_input(runner: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    """The next event the runner is handed fails unexpectedly, once (a bug, a lost database)."""
    real = runner.handle

    async def failing(event: Event) -> Handled:
        monkeypatch.setattr(runner, "handle", real)
        raise RuntimeError("injected fault")

    monkeypatch.setattr(runner, "handle", failing)


def errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR]
