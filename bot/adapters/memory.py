"""MemoryChat: the reference ChatPort, keeping what each audience saw (tests and the demo)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.core.model import ConversationRef, Locale, MessageRef, UserId, UserRef
from bot.core.ports import DeliveryError, OutMessage


@dataclass(frozen=True, slots=True)
class Delivered:
    """One message as an audience received it: `where` is `#channel`, `@user` or `space:<id>`."""

    where: str
    message: OutMessage
    message_id: str


@dataclass(slots=True)
class MemoryChat:
    """Keeps every delivery in order. `unreachable` users behave like closed DMs, `deactivated`
    ones like deactivated accounts, `outside` channels like channels the bot was never added
    to; `locales` is the language the platform reports for a person, as Slack's users.info
    does."""

    platform: str = "memory"
    log: list[Delivered] = field(default_factory=list)
    spaces: dict[str, tuple[str, tuple[UserId, ...], bool]] = field(default_factory=dict)
    unreachable: set[UserId] = field(default_factory=set)
    deactivated: set[UserId] = field(default_factory=set)
    outside: set[str] = field(default_factory=set)
    locales: dict[UserId, Locale] = field(default_factory=dict)
    _next: int = 0

    def _id(self) -> str:
        self._next += 1
        return f"m{self._next}"

    async def post(self, to: ConversationRef, msg: OutMessage) -> MessageRef:
        if to.channel in self.outside:
            raise DeliveryError("not_in_channel", permanent=True, cause="not_in_channel")
        where = f"space:{to.channel}" if to.channel in self.spaces else f"#{to.channel}"
        mid = self._id()
        self.log.append(Delivered(where, msg, mid))
        return MessageRef(to, mid)

    async def send_direct(self, user: UserRef, msg: OutMessage) -> MessageRef:
        if user.user in self.unreachable:
            raise DeliveryError("cannot_dm", permanent=True, cause="dm_closed")
        if user.user in self.deactivated:
            raise DeliveryError("user_disabled", permanent=True, cause="account_inactive")
        mid = self._id()
        self.log.append(Delivered(f"@{user.user}", msg, mid))
        return MessageRef(ConversationRef(user.platform, user.workspace, f"D-{user.user}"), mid)

    async def locale_of(self, user: UserRef) -> Locale | None:
        return self.locales.get(user.user)

    async def edit(self, ref: MessageRef, msg: OutMessage) -> None:
        self.log.append(Delivered(f"edit:{ref.message_id}", msg, ref.message_id))

    async def open_space(
        self, parent: ConversationRef, name: str, members: Sequence[UserRef]
    ) -> ConversationRef:
        space = f"{parent.channel}-g{len(self.spaces) + 1}"
        self.spaces[space] = (name, tuple(m.user for m in members), True)
        return ConversationRef(parent.platform, parent.workspace, space)

    async def close_space(self, space: ConversationRef) -> None:
        name, members, _ = self.spaces[space.channel]
        self.spaces[space.channel] = (name, members, False)

    def seen_by(self, where: str) -> list[str]:
        return [d.message.plain() for d in self.log if d.where == where]

    def all_text(self) -> str:
        return "\n".join(d.message.plain() for d in self.log)
