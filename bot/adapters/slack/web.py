"""Slack's Web API client as the bot builds it, and what Slack's errors mean for a delivery."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.ports import Cause, DeliveryError

PERMANENT = frozenset(
    {
        "channel_not_found",
        "cannot_dm_bot",
        "user_not_found",
        "is_archived",
        "user_disabled",
        "user_not_visible",
        "account_inactive",
        "not_in_channel",
        "too_many_users",
        # The workspace took the app back (uninstalled, token revoked): no retry can succeed.
        "token_revoked",
        "invalid_auth",
        "not_authed",
    }
)
# Slack's error codes, by what they mean for a delivery (the dead letters are counted by it).
CAUSES: dict[str, Cause] = {
    "not_in_channel": "not_in_channel",
    # For a private channel, Slack says it does not exist to a bot that is not a member.
    "channel_not_found": "not_in_channel",
    "missing_scope": "missing_permission",
    "restricted_action": "missing_permission",
    "restricted_action_read_only_channel": "missing_permission",
    "restricted_action_thread_only_channel": "missing_permission",
    "restricted_action_non_threadable_channel": "missing_permission",
    "ekm_access_denied": "missing_permission",
    "cannot_dm_bot": "dm_closed",
    "user_disabled": "account_inactive",
    "account_inactive": "account_inactive",
    "user_not_found": "gone",
    "user_not_visible": "gone",
    "is_archived": "archived",
    "token_revoked": "access_revoked",
    "invalid_auth": "access_revoked",
    "not_authed": "access_revoked",
}
SawRateLimit = Callable[[float], None]


class ReportedRateLimitRetry(AsyncRateLimitErrorRetryHandler):
    """The SDK's own wait on a 429, reported (with its Retry-After) before the SDK sleeps."""

    def __init__(self, max_retry_count: int, saw: SawRateLimit) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.saw = saw

    async def prepare_for_next_attempt_async(self, **kwargs: Any) -> None:
        response = kwargs.get("response")
        if response is not None:
            self.saw(_retry_after(response.headers))
        await super().prepare_for_next_attempt_async(**kwargs)


def make_client(
    base_url: str,
    token: str | None,
    rate_limit_retries: int = 1,
    saw_rate_limit: SawRateLimit | None = None,
) -> AsyncWebClient:
    """A client that retries connection errors and, once, a 429 after its Retry-After: longer
    waits go back to the dispatcher, which reschedules the row instead of holding a worker."""
    handlers: list[AsyncRetryHandler] = [AsyncConnectionErrorRetryHandler()]
    if rate_limit_retries > 0:
        handlers.append(
            ReportedRateLimitRetry(rate_limit_retries, saw_rate_limit)
            if saw_rate_limit is not None
            else AsyncRateLimitErrorRetryHandler(max_retry_count=rate_limit_retries)
        )
    return AsyncWebClient(token=token, base_url=base_url, retry_handlers=handlers)


def _retry_after(headers: Any) -> float:
    raw = headers.get("Retry-After") or headers.get("retry-after") or "1"
    if isinstance(raw, list):
        raw = raw[0]
    try:
        return float(raw)
    except ValueError:
        return 1.0


def delivery_error(error: SlackApiError) -> DeliveryError:
    response = error.response
    reason = str(response.get("error") or "unknown_error")
    if response.status_code == 429 or reason == "ratelimited":
        return DeliveryError(
            "ratelimited", permanent=False, retry_after=_retry_after(response.headers)
        )
    return DeliveryError(reason, permanent=reason in PERMANENT, cause=CAUSES.get(reason))
