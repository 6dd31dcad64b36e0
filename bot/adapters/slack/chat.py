"""SlackChat: the ChatPort over slack-sdk's AsyncWebClient (DMs, channels, spaces, images)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.model import LOCALES, ConversationRef, Locale, MessageRef, UserRef
from bot.core.ports import Cause, DeliveryError, Image, OutMessage

from .limits import ChannelPacer, LearnedBudget, MethodGate
from .render import message_payloads

log = logging.getLogger(__name__)

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
DELIVERY_EVENT = "tst_delivery"
TokenFor = Callable[[str], Awaitable[str | None]]
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


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9_-]+", "-", name.lower()).strip("-")[:60] or "tst"


@dataclass(frozen=True, slots=True)
class Profile:
    """What Slack says of a person: name, language and timezone (users.info)."""

    name: str
    locale: Locale | None
    timezone: str | None


def profile_of(info: dict[str, Any]) -> Profile:
    """A users.info `user`: its locale ("en-US") is there only when asked (include_locale)."""
    prefix = str(info.get("locale") or "")[:2]
    name = str((info.get("profile") or {}).get("display_name") or info.get("real_name") or "")
    return Profile(
        name or str(info.get("name") or ""),
        next((loc for loc in LOCALES if loc == prefix), None),
        info.get("tz"),
    )


class SlackChat:
    """Delivers through the Web API. `token_for(team)` gives the bot token of a workspace
    (one fixed token, or an OAuth installation)."""

    platform = "slack"

    def __init__(
        self,
        client: AsyncWebClient,
        token_for: TokenFor,
        pace_seconds: float = 1.0,
        rate_limit_wait: float = 0.0,
        rate_window: float = 60.0,
    ) -> None:
        self.client = client
        self.token_for = token_for
        self.pacer = ChannelPacer(pace_seconds)
        self.gate = MethodGate(rate_limit_wait)
        # The learned budget is part of waiting in the port: off when the port does not wait.
        self.budget = LearnedBudget(rate_window, learning=rate_limit_wait > 0)
        self._dm: dict[tuple[str, str], str] = {}
        self._clients: dict[str, AsyncWebClient] = {}
        self._profiles: dict[tuple[str, str], Profile] = {}
        # Set by whoever counts 429s (the app's metrics); every 429 this port sees is reported.
        self.on_rate_limited: SawRateLimit | None = None

    def saw_rate_limit(self, retry_after: float) -> None:
        if self.on_rate_limited is not None:
            self.on_rate_limited(retry_after)

    def _failure(self, error: SlackApiError) -> DeliveryError:
        failure = delivery_error(error)
        if failure.retry_after is not None:
            self.saw_rate_limit(failure.retry_after)
        return failure

    def _session(self) -> aiohttp.ClientSession:
        """One HTTP session for every call to Slack, made in the running loop on first use:
        without it slack-sdk opens (and closes) a connection, TLS handshake included, per
        call. Bolt's per-request clients copy it from `client` too."""
        session = self.client.session
        if session is None or session.closed:
            timeout = aiohttp.ClientTimeout(total=self.client.timeout)
            session = self.client.session = aiohttp.ClientSession(timeout=timeout)
        return session

    async def close(self) -> None:
        session, self.client.session = self.client.session, None
        if session is not None:
            await session.close()

    async def client_for(self, workspace: str) -> AsyncWebClient:
        """The client carrying this workspace's bot token (one per token, reused)."""
        token = await self.token_for(workspace)
        session = self._session()
        if token is None or token == self.client.token:
            return self.client
        if token not in self._clients:
            base = self.client
            self._clients[token] = AsyncWebClient(
                token=token, base_url=base.base_url, retry_handlers=base.retry_handlers
            )
        client = self._clients[token]
        client.session = session
        return client

    async def _call(self, workspace: str, method: str, **params: Any) -> Any:
        client = await self.client_for(workspace)
        key = (workspace, method)
        waited = 0.0
        while True:
            # Near the limit (shut, or refused lately) callers go in line, one call at a time.
            near = self.gate.remaining(key) > 0 or self.gate.hot(key)
            async with self.gate.line(key) if near else contextlib.nullcontext():
                while (pause := max(self.gate.remaining(key), self.budget.pause(key))) > 0:
                    if waited + pause > self.gate.max_wait:
                        raise DeliveryError("ratelimited", permanent=False, retry_after=pause)
                    await asyncio.sleep(pause)
                    waited += pause
                sent = self.budget.take(key)  # no await since the check: the place is ours
                try:
                    answer = await self._request(client, method, params)
                except SlackApiError as error:
                    failure = self._failure(error)
                    if failure.retry_after is not None:
                        self.budget.refused(key, sent)
                    waited = self._held_back(key, failure, waited)
                    continue
                self.budget.accepted(key, sent)
                return answer

    @staticmethod
    async def _request(client: AsyncWebClient, method: str, params: dict[str, Any]) -> Any:
        if method.startswith("chat."):  # blocks need a JSON body
            return await client.api_call(method, json=params)
        return await client.api_call(method, params=params)

    def _held_back(self, key: tuple[str, str], failure: DeliveryError, waited: float) -> float:
        """A 429 shuts the gate for its Retry-After, and the caller waits there if that fits in
        what it may still wait; any other failure, or a longer wait, goes to the dispatcher."""
        if self.gate.max_wait <= 0 or failure.retry_after is None:
            raise failure  # off by default: the dispatcher reschedules on Retry-After
        self.gate.block(key, failure.retry_after)
        if waited + failure.retry_after > self.gate.max_wait:
            raise failure
        return waited

    async def profile(self, workspace: str, user: str) -> Profile:
        """users.info, with the locale asked for, kept for the process's life. Raises
        DeliveryError when Slack refuses; a refused lookup is not kept."""
        key = (workspace, user)
        if key not in self._profiles:
            found = await self._call(workspace, "users.info", user=user, include_locale=True)
            self._profiles[key] = profile_of(found.get("user") or {})
        return self._profiles[key]

    def forget_workspace(self, workspace: str) -> None:
        """What this process keeps of a workspace the app was removed from: DM channels and
        profiles (names) go with it."""
        for key in [k for k in self._dm if k[0] == workspace]:
            del self._dm[key]
        for key in [k for k in self._profiles if k[0] == workspace]:
            del self._profiles[key]

    def known_profile(self, workspace: str, user: str) -> Profile | None:
        """The profile already looked up, without calling Slack (inside an ack window)."""
        return self._profiles.get((workspace, user))

    async def locale_of(self, user: UserRef) -> Locale | None:
        """The language Slack reports for someone the bot has not heard from yet. A lookup
        Slack refuses for good reads None (the intervention's language); a rate limit goes
        back to the dispatcher, which delivers later rather than in the wrong language."""
        try:
            return (await self.profile(user.workspace, user.user)).locale
        except DeliveryError as error:
            if error.retry_after is not None:
                raise
            log.info("users.info %s: %s", user.user, error.reason)
            return None

    async def dm_channel(self, user: UserRef) -> str:
        key = (user.workspace, user.user)
        if key not in self._dm:
            opened = await self._call(user.workspace, "conversations.open", users=user.user)
            self._dm[key] = opened["channel"]["id"]
        return self._dm[key]

    async def _post(self, workspace: str, channel: str, msg: OutMessage) -> str:
        first = ""
        for part, payload in enumerate(message_payloads(msg)):
            await self.pacer.turn(channel)
            extra: dict[str, Any] = {"thread_ts": first} if first else {}
            if msg.idempotency_key:  # lets anyone reading the channel spot a repeated delivery
                key = msg.idempotency_key if part == 0 else f"{msg.idempotency_key}:{part}"
                extra["metadata"] = {"event_type": DELIVERY_EVENT, "event_payload": {"key": key}}
            sent = await self._call(
                workspace, "chat.postMessage", channel=channel, **payload, **extra
            )
            first = first or str(sent["ts"])
        for image in msg.images:
            await self._upload(workspace, channel, image, first)
        return first

    async def _upload(self, workspace: str, channel: str, image: Image, thread: str) -> None:
        client = await self.client_for(workspace)
        try:
            await client.files_upload_v2(
                channel=channel,
                file=image.png,
                filename=image.name,
                title=image.alt,
                alt_txt=image.alt,
                thread_ts=thread or None,
            )
        except SlackApiError as error:
            raise self._failure(error) from None

    async def post(self, to: ConversationRef, msg: OutMessage) -> MessageRef:
        return MessageRef(to, await self._post(to.workspace, to.channel, msg))

    async def send_direct(self, user: UserRef, msg: OutMessage) -> MessageRef:
        channel = await self.dm_channel(user)
        try:
            ts = await self._post(user.workspace, channel, msg)
        except DeliveryError as error:
            if error.reason == "channel_not_found":  # a stale cached DM: open it afresh next time
                self._dm.pop((user.workspace, user.user), None)
                error.cause = "gone"  # a person, not a channel the bot could be added to
            raise
        return MessageRef(ConversationRef(self.platform, user.workspace, channel), ts)

    async def edit(self, ref: MessageRef, msg: OutMessage) -> None:
        payload = message_payloads(msg)[0]
        conv = ref.conversation
        await self._call(
            conv.workspace, "chat.update", channel=conv.channel, ts=ref.message_id, **payload
        )

    async def open_space(
        self, parent: ConversationRef, name: str, members: Sequence[UserRef]
    ) -> ConversationRef:
        """A private channel; a group DM when the app may not create private channels."""
        users = ",".join(m.user for m in members)
        channel_name = f"tst-{_slug(name)}-{parent.channel.lower()}"[:80]
        try:
            created = await self._call(
                parent.workspace, "conversations.create", name=channel_name, is_private=True
            )
            channel = str(created["channel"]["id"])
        except DeliveryError as error:
            if error.reason == "name_taken":
                # A retried delivery whose first attempt created the channel: adopt it.
                existing = await self._find_channel(parent.workspace, channel_name)
                if existing is None:
                    raise
                channel = existing
            elif error.reason in ("missing_scope", "restricted_action"):
                log.info("no private channels (%s): opening a group DM", error.reason)
                opened = await self._call(parent.workspace, "conversations.open", users=users)
                return ConversationRef(self.platform, parent.workspace, opened["channel"]["id"])
            else:
                raise
        if users:
            try:
                await self._call(
                    parent.workspace, "conversations.invite", channel=channel, users=users
                )
            except DeliveryError as error:
                if error.reason != "already_in_channel":
                    raise
        return ConversationRef(self.platform, parent.workspace, channel)

    async def _find_channel(self, workspace: str, name: str) -> str | None:
        """The id of the bot's unarchived private channel called `name`, if any."""
        cursor = ""
        for _page in range(50):  # 50 pages of 200: far beyond any workspace we serve
            listed = await self._call(
                workspace,
                "conversations.list",
                types="private_channel",
                exclude_archived=True,
                limit=200,
                **({"cursor": cursor} if cursor else {}),
            )
            for found in listed.get("channels") or []:
                if found.get("name") == name:
                    return str(found["id"])
            cursor = str((listed.get("response_metadata") or {}).get("next_cursor") or "")
            if not cursor:
                return None
        return None

    async def close_space(self, space: ConversationRef) -> None:
        try:
            await self._call(space.workspace, "conversations.archive", channel=space.channel)
        except DeliveryError as error:
            if error.reason == "already_archived":
                return
            if error.reason in ("method_not_supported_for_channel_type", "cant_archive_mpim"):
                await self._call(space.workspace, "conversations.close", channel=space.channel)
                return
            raise
