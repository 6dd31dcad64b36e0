"""The messages a delivery batch renders, each once per kind of reader: a round's prompt to
1,000 people is a few texts (rendering depends only on the state, the message and the reader)."""

from __future__ import annotations

from typing import Any, cast

from bot.core.effects import Message
from bot.core.model import Intervention
from bot.core.ports import OutMessage
from bot.i18n.render import Reader, Renderer
from bot.storage.codec import decode


class BatchRenders:
    def __init__(self, renderer: Renderer) -> None:
        self.renderer = renderer
        # By state: each kept beside its renders, so its id stays its own for the batch.
        self._rendered: dict[int, tuple[Intervention, dict[tuple[str, Reader], OutMessage]]] = {}

    def clear(self) -> None:
        """A new batch: states may have moved since the last."""
        self._rendered = {}

    def render(self, state: Intervention, message: dict[str, Any], reader: Reader) -> OutMessage:
        _state, renders = self._rendered.setdefault(id(state), (state, {}))
        # Rows decoded from the same stored JSON repeat its key order: repr tells them apart
        # at a fraction of a sorted dump's cost (another order only misses the cache).
        key = (repr(message), reader)
        out = renders.get(key)
        if out is None:
            out = self.renderer.message(state, cast(Message, decode(message)), reader)
            renders[key] = out
        return out
