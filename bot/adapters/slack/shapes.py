"""What Slack sends, as checks: a payload of another shape never reaches bolt or the parsers."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from bot.core.events import CONTROL

# A check looks at one value found at `at` (a JSON pointer) and raises Unreadable.
Check = Callable[[Any, str], None]
# Slack's ids: U…/W… people, T… teams, E… organisations, C…/D…/G… conversations.
SLACK_ID = re.compile(r"[A-Z0-9]{1,40}")
MAX_TEXT = 12_000  # a modal's text input holds at most 3,000 characters; commands far less
MAX_ID = 255  # action_id, block_id and callback_id: Slack's documented maximum


class Unreadable(Exception):
    """A request the bot cannot read: `reason` names where, never what it held."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def text(limit: int = MAX_TEXT) -> Check:
    def check(value: Any, at: str) -> None:
        if not isinstance(value, str):
            raise Unreadable(f"{at} is not a string")
        if len(value) > limit:
            raise Unreadable(f"{at} is longer than {limit}")
        if CONTROL.search(value):
            raise Unreadable(f"{at} holds control characters")

    return check


def slack_id(value: Any, at: str) -> None:
    if not isinstance(value, str) or not SLACK_ID.fullmatch(value):
        raise Unreadable(f"{at} is not a Slack id")


def url(value: Any, at: str) -> None:
    text(2000)(value, at)
    if not re.match(r"https?://[^\s/]+/", value):
        raise Unreadable(f"{at} is not an http(s) URL")


def flag(value: Any, at: str) -> None:
    if not isinstance(value, bool):
        raise Unreadable(f"{at} is not a boolean")


def number(value: Any, at: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Unreadable(f"{at} is not a number")


def anything(value: Any, at: str) -> None:
    return None


def opt(check: Check) -> Check:
    """Absent or null is fine; anything else must pass `check`."""

    def optional(value: Any, at: str) -> None:
        if value is not None:
            check(value, at)

    return optional


def either(*checks: Check) -> Check:
    def one_of(value: Any, at: str) -> None:
        for check in checks[:-1]:
            try:
                check(value, at)
                return
            except Unreadable:
                continue
        checks[-1](value, at)

    return one_of


def obj(**fields: Check) -> Check:
    """An object whose named fields pass their checks; other fields are not read."""

    def check(value: Any, at: str) -> None:
        if not isinstance(value, dict):
            raise Unreadable(f"{at or '/'} is not an object")
        for name, inner in fields.items():
            inner(value.get(name), f"{at}/{name}")

    return check


def items(check: Check, least: int = 0, most: int = 100) -> Check:
    def each(value: Any, at: str) -> None:
        if not isinstance(value, list) or not least <= len(value) <= most:
            raise Unreadable(f"{at} is not a list of {least} to {most} items")
        for n, inner in enumerate(value):
            check(inner, f"{at}/{n}")

    return each


def mapping(check: Check, most: int = 100) -> Check:
    """An object keyed by ids Slack or the bot chose (block ids, action ids)."""

    def each(value: Any, at: str) -> None:
        if not isinstance(value, dict) or len(value) > most:
            raise Unreadable(f"{at} is not an object of at most {most} entries")
        for key, inner in value.items():
            text(MAX_ID)(key, f"{at}/*")
            check(inner, f"{at}/{key[:40]}")

    return each


def required(check: Check) -> Check:
    def present(value: Any, at: str) -> None:
        if value is None:
            raise Unreadable(f"{at} is missing")
        check(value, at)

    return present


OPTION = obj(value=required(text(2000)))
# The state of one input: text in `value`, a choice in `selected_option(s)`.
ELEMENT = obj(
    type=opt(text(64)),
    value=opt(text()),
    selected_option=opt(OPTION),
    selected_options=opt(items(OPTION)),
)
TEAM = either(slack_id, obj(id=opt(slack_id), enterprise_id=opt(slack_id), domain=opt(text())))
AUTHORIZATION = obj(
    team_id=opt(slack_id),
    enterprise_id=opt(slack_id),
    user_id=opt(slack_id),
    is_bot=opt(flag),
    is_enterprise_install=opt(flag),
)
VIEW = obj(
    id=opt(text(64)),
    hash=opt(text(200)),
    type=required(text(64)),
    callback_id=required(text(MAX_ID)),
    private_metadata=opt(text(3000)),
    team_id=opt(slack_id),
    app_installed_team_id=opt(slack_id),
    state=opt(obj(values=opt(mapping(mapping(ELEMENT))))),
)
ACTION = obj(
    action_id=required(text(MAX_ID)),
    block_id=opt(text(MAX_ID)),
    type=opt(text(64)),
    value=opt(text(2000)),
    action_ts=opt(text(64)),
    selected_option=opt(OPTION),
    selected_options=opt(items(OPTION)),
)
# Fields bolt itself reads on every request (to find the team, the user, where to answer).
COMMON = {
    "team": opt(TEAM),
    "enterprise": opt(either(slack_id, obj(id=opt(slack_id)))),
    "enterprise_id": opt(slack_id),
    "team_id": opt(slack_id),
    "authorizations": opt(items(AUTHORIZATION)),
    "is_enterprise_install": opt(either(flag, text(8))),
    "is_ext_shared_channel": opt(flag),
    "api_app_id": opt(text(64)),
    "token": opt(text(200)),
    "response_url": opt(url),
    "response_urls": opt(items(obj(response_url=required(url)))),
    "trigger_id": opt(text(200)),
    "channel": opt(either(slack_id, obj(id=required(slack_id), name=opt(text())))),
    "container": opt(obj()),
    "message": opt(obj()),
}
PERSON = obj(id=required(slack_id), name=opt(text()), username=opt(text()), team_id=opt(slack_id))
INTERACTIVE: Mapping[str, Check] = {
    "block_actions": obj(
        **COMMON,
        user=required(PERSON),
        view=opt(VIEW),
        actions=required(items(ACTION, least=1, most=25)),
    ),
    "view_submission": obj(**COMMON, user=required(PERSON), view=required(VIEW)),
}
# A slash command arrives as a form: every value is a string.
COMMAND = obj(
    command=required(text(32)),
    text=opt(text(4000)),
    team_id=required(slack_id),
    user_id=required(slack_id),
    channel_id=opt(slack_id),
    enterprise_id=opt(slack_id),
    user_name=opt(text(200)),
    channel_name=opt(text(200)),
    response_url=required(url),
    trigger_id=opt(text(200)),
    api_app_id=opt(text(64)),
    token=opt(text(200)),
    is_enterprise_install=opt(text(8)),
)
EVENT_FIELDS: Mapping[str, Check] = {
    "user": opt(slack_id),
    "channel": opt(slack_id),
    "channel_type": opt(text(32)),
    "subtype": opt(text(64)),
    "bot_id": opt(text(64)),
    "text": opt(text(40_000)),
    "tab": opt(text(32)),
    "user_team": opt(slack_id),
    "team": opt(slack_id),
    "thread_ts": opt(text(64)),
    "event_ts": opt(text(64)),
    "message": opt(obj()),
    "previous_message": opt(obj()),
    "tokens": opt(obj(oauth=opt(items(slack_id, most=1000)), bot=opt(items(slack_id, most=1000)))),
}
CALLBACK = obj(
    **{
        **COMMON,
        "team_id": required(slack_id),
        "event_id": required(text(128)),
        "event_time": opt(number),
        "event": required(obj(type=required(text(64)), **EVENT_FIELDS)),
    }
)
EVENTS: Mapping[str, Check] = {
    "event_callback": CALLBACK,
    "url_verification": obj(challenge=required(text(200)), token=opt(text(200))),
    "app_rate_limited": obj(team_id=required(slack_id), minute_rate_limited=opt(number)),
}


def kind_of(payload: Any) -> str:
    """`command`, `ssl_check`, an interactive type or an Events API type, once the payload
    is known to be one Slack sends; raises Unreadable otherwise."""
    if not isinstance(payload, dict):
        raise Unreadable("/ is not an object")
    if "command" in payload:
        COMMAND(payload, "")
        return "command"
    if payload.get("ssl_check") == "1":
        return "ssl_check"
    kind = payload.get("type")
    check = INTERACTIVE.get(kind) or EVENTS.get(kind) if isinstance(kind, str) else None
    if check is None:
        raise Unreadable("/type is not one this app receives")
    check(payload, "")
    assert isinstance(kind, str)
    return kind


def who(body: dict[str, Any]) -> tuple[str, str]:
    """Team and person of any payload the gate let through (ids, or empty)."""
    team, user = body.get("team"), body.get("user")
    team_id = team.get("id") if isinstance(team, dict) else team
    user_id = user.get("id") if isinstance(user, dict) else user
    return str(team_id or body.get("team_id") or ""), str(user_id or body.get("user_id") or "")
