"""JSON for the values stored in JSON columns: messages, syntheses, answer values."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.core.conflicts import Attempt, ConflictSpace, Loop, Party, Statement
from bot.core.effects import (
    Button,
    ChannelLink,
    Lines,
    Localized,
    Message,
    Phrase,
    PromptList,
    UserText,
    UserTexts,
    When,
)
from bot.core.model import Curation, GroupQuality, PromptSummary, Quote, Synthesis
from bot.core.wording import (
    Note,
    OwnQuestion,
    RoundWords,
    Template,
    Wording,
    Words,
    WordsDraft,
)

# Only these types may be rebuilt from the database: nothing is looked up by arbitrary name.
KNOWN: Mapping[str, type] = {
    cls.__name__: cls
    for cls in (
        Message,
        Button,
        UserText,
        UserTexts,
        When,
        PromptList,
        ChannelLink,
        Localized,
        Phrase,
        Lines,
        Synthesis,
        PromptSummary,
        Quote,
        Curation,
        GroupQuality,
        Words,
        OwnQuestion,
        WordsDraft,
        Wording,
        RoundWords,
        Note,
        Template,
        ConflictSpace,
        Party,
        Statement,
        Loop,
        Attempt,
    )
}


def encode(value: object) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        name = type(value).__name__
        if name not in KNOWN:
            raise TypeError(f"cannot store {name}")
        fields = {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"__t": name, **fields}
    if isinstance(value, datetime):
        return {"__dt": value.isoformat()}
    if isinstance(value, tuple | list):
        return [encode(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): encode(v) for k, v in value.items()}
    return value


def decode(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(decode(v) for v in value)
    if isinstance(value, dict):
        if "__dt" in value:
            return datetime.fromisoformat(value["__dt"])
        if "__t" in value:
            cls = KNOWN[value["__t"]]
            return cls(**{k: decode(v) for k, v in value.items() if k != "__t"})
        return {k: decode(v) for k, v in value.items()}
    return value
