"""Malformed Slack requests, every one validly signed: real payloads mutated field by field
(removed, given another type), cut short, badly encoded, or carrying values no real Slack
sends. Deterministic, so a failing case can be replayed by its name."""

from __future__ import annotations

import copy
import json
import urllib.parse
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
# What a field may be replaced with: each JSON type, empty or not.
WRONG: tuple[Any, ...] = (None, -1, True, "", "x", ["x"], {})
LONG = "é" * 50_000
ODD_TEXTS = (
    "",
    " ",
    "\x00",
    "a\x00b",
    "\ud800".encode("utf-8", "surrogatepass").decode("latin-1"),
    LONG,
    "<!channel> @everyone",
    "tst:" * 40,
    "%",
    "\u202e\u200b",
)


@dataclass(frozen=True, slots=True)
class Case:
    """One request: a name saying what was done to which real payload, and its bytes."""

    name: str
    body: bytes
    content_type: str


Path = tuple[str | int, ...]


def paths(value: Any, prefix: Path = ()) -> Iterator[Path]:
    """Every place in a JSON value, parents before children."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield (*prefix, key)
            yield from paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for n, inner in enumerate(value):
            yield (*prefix, n)
            yield from paths(inner, (*prefix, n))


def _parent(root: Any, path: Path) -> Any:
    node = root
    for step in path[:-1]:
        node = node[step]
    return node


def replaced(root: Any, path: Path, value: Any) -> Any:
    out = copy.deepcopy(root)
    _parent(out, path)[path[-1]] = value
    return out


def removed(root: Any, path: Path) -> Any:
    out = copy.deepcopy(root)
    parent = _parent(out, path)
    if isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent.pop(path[-1])
    return out


def _where(path: Path) -> str:
    return "/" + "/".join(str(p) for p in path)


def mutations(payload: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    """The payload with one field removed or given a wrong type, for every field."""
    for path in paths(payload):
        yield f"remove {_where(path)}", removed(payload, path)
        original = _parent(payload, path)[path[-1]]
        for value in WRONG:
            if type(value) is type(original) and value == original:
                continue
            yield f"{_where(path)}={json.dumps(value)}", replaced(payload, path, value)
    for root in (None, 0, "x", [], [dict(payload)]):
        yield f"root={json.dumps(root)[:20]}", root


def interactive(name: str, payload: Mapping[str, Any]) -> Iterator[Case]:
    """A form body `payload=<json>`, mutated, then broken as JSON and as form encoding."""

    def form(data: Any) -> bytes:
        return ("payload=" + urllib.parse.quote(json.dumps(data))).encode()

    seen: set[bytes] = set()
    for what, data in mutations(payload):
        body = form(data)
        if body not in seen:
            seen.add(body)
            yield Case(f"{name}: {what}", body, FORM)
    whole = json.dumps(payload)
    for cut in (1, len(whole) // 3, len(whole) // 2, len(whole) - 1):
        yield Case(f"{name}: json cut at {cut}", form_raw(whole[:cut]), FORM)
    encoded = form(payload)
    for cut in (9, 10, len(encoded) // 2, len(encoded) - 1, len(encoded) - 2):
        yield Case(f"{name}: form cut at {cut}", encoded[:cut], FORM)
    yield Case(f"{name}: bad escape", encoded[:20] + b"%ZZ" + encoded[20:], FORM)
    yield Case(f"{name}: not utf-8", encoded[:20] + b"\xff\xfe" + encoded[20:], FORM)
    yield Case(f"{name}: twice", encoded + b"&" + encoded, FORM)
    yield Case(f"{name}: empty payload", b"payload=", FORM)
    yield Case(f"{name}: as json", json.dumps(payload).encode(), JSON)


def form_raw(text: str) -> bytes:
    return ("payload=" + urllib.parse.quote(text)).encode()


def command(fields: Mapping[str, str]) -> Iterator[Case]:
    """A slash command's form, each field removed, emptied or given odd text."""

    def form(data: Mapping[str, str]) -> bytes:
        return urllib.parse.urlencode(data).encode()

    for key in fields:
        rest = {k: v for k, v in fields.items() if k != key}
        yield Case(f"command: remove {key}", form(rest), FORM)
        for n, odd in enumerate(ODD_TEXTS):
            yield Case(f"command: {key}=odd#{n}", form({**fields, key: odd}), FORM)
    encoded = form(fields)
    for cut in (5, len(encoded) // 2, len(encoded) - 1):
        yield Case(f"command: cut at {cut}", encoded[:cut], FORM)
    yield Case("command: bad escape", encoded + b"&text=%E9%ZZ", FORM)
    yield Case("command: not utf-8", encoded + b"&text=\xff\xfe", FORM)
    yield Case("command: empty", b"", FORM)
    yield Case("command: as json", json.dumps(dict(fields)).encode(), JSON)


def event(name: str, body: Mapping[str, Any]) -> Iterator[Case]:
    """An Events API body (JSON), mutated, cut, and sent as a form."""
    seen: set[bytes] = set()
    for what, data in mutations(body):
        raw = json.dumps(data).encode()
        if raw not in seen:
            seen.add(raw)
            yield Case(f"{name}: {what}", raw, JSON)
    whole = json.dumps(body).encode()
    for cut in (1, len(whole) // 2, len(whole) - 1):
        yield Case(f"{name}: cut at {cut}", whole[:cut], JSON)
    yield Case(f"{name}: not utf-8", whole[:10] + b"\xff" + whole[10:], JSON)
    yield Case(f"{name}: as form", urllib.parse.urlencode({"x": whole}).encode(), FORM)


def action_ids(iid: str) -> tuple[str, ...]:
    """Action ids the bot never rendered, some shaped like its own."""
    return (
        "zzz",
        "tst:",
        "tst:x",
        f"tst:{iid}",
        f"tst:{iid}:answer",
        f"tst:{iid}:answer:",
        f"tst:{iid}:answer:no.such.round",
        f"tst:{iid}:page:trust.barometer/x",
        f"tst:{iid}:consent:maybe",
        f"tst:{iid}:unknown:x",
        "tst:no-such-intervention:skip:trust.barometer",
        "tst:" + "a" * 300,
    )


def metadata_values() -> tuple[str, ...]:
    """private_metadata the bot never wrote."""
    return ("", "{", "[]", "null", "5", '{"i": 5, "r": []}', '{"i": "x"}', '{"r": "x"}', "é" * 3000)
