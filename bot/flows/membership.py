"""Membership and personal settings: start, join, invite, consent to the frame, leave, profile."""

from __future__ import annotations

import re
import uuid
from dataclasses import replace
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.core.commands import Command
from bot.core.effects import Audit, Button, Cancel, Forget, Message, ToChannel, ToUser, UserText
from bot.core.events import EventMeta
from bot.core.model import Intervention, InterventionId, Participant, UserId
from bot.core.overlay import put, without
from bot.flows import apart, checkins, parties, reportback, templates
from bot.flows.context import Ctx
from bot.flows.privacy import change_anonymity, split_anonymity
from bot.flows.prompts import frame_message, prompt_message

INTERVENTION_NAMESPACE = uuid.UUID("0b8f6a3e-3c0e-4f57-8a43-2a7e0c61f4d5")
ATTRIBUTE_KEY = re.compile(r"^[a-z][a-z0-9_]{0,23}$")
MAX_ATTRIBUTES = 8
MAX_ATTRIBUTE_VALUE = 40
MAX_TITLE = 120


def start(ctx: Ctx, state: Intervention | None, cmd: Command) -> Intervention:
    meta = ctx.meta
    if meta.channel is None:
        ctx.refuse("error.start_needs_channel")
    typed, template = templates.split_from(cmd.text)
    text, anonymity = split_anonymity(typed)
    if state is not None and state.status != "closed":
        if anonymity is not None:
            return change_anonymity(ctx, state, anonymity)
        ctx.refuse("error.already_running", title=UserText(state.title))
    if meta.user is None:
        ctx.refuse("error.not_a_participant")
    title = text.strip()[:MAX_TITLE] or meta.channel
    iid = InterventionId(
        str(uuid.uuid5(INTERVENTION_NAMESPACE, f"{meta.platform}:{meta.event_id}"))
    )
    facilitator = Participant(
        meta.user,
        meta.user_name or meta.user,
        role="facilitator",
        consent="accepted",
        timezone=meta.timezone,
        joined_at=ctx.now,
        platform_locale=meta.locale,
    )
    created = Intervention(
        id=iid,
        platform=meta.platform,
        workspace=meta.workspace,
        channel=meta.channel,
        title=title,
        status="draft",
        locale=meta.locale or ctx.policy.locale,
        timezone=ctx.policy.timezone,
        created_at=ctx.now,
        address_form=ctx.policy.address_form,
        k_anonymity_min=ctx.policy.k_anonymity_min,
        anonymity=anonymity or "group",
        participants={meta.user: facilitator},
    )
    if template is not None:  # before anything is sent: an unknown name refuses the start
        created = templates.started_from(ctx, created, template, anonymity is not None)
    ctx.send(ToChannel(), Message("intervention.started", {"title": UserText(title)}))
    ctx.reply("intervention.started_reply", title=UserText(title))
    if template is not None:
        ctx.reply("templates.started_from", name=UserText(template))
    if created.anonymity == "full":
        ctx.reply("privacy.anonymity_chosen", anonymity_mode=created.anonymity)
    ctx.audit_target = title
    return created


def _admit(ctx: Ctx, state: Intervention, user: UserId, name: str) -> Intervention:
    existing = state.participants.get(user)
    member = Participant(
        user,
        name or (existing.display_name if existing else user),
        locale=existing.locale if existing else None,
        timezone=existing.timezone if existing else None,
        attributes=existing.attributes if existing else {},
        joined_at=ctx.now,
        # Known for whoever acts (kept by the engine); an invitee's is learnt at their first
        # click, and until then their DMs read in the intervention's language.
        platform_locale=existing.platform_locale if existing else None,
    )
    ctx.send(ToUser(user), frame_message(state))
    return replace(state, participants=put(state.participants, user, member))


def join(ctx: Ctx, state: Intervention) -> Intervention:
    user = ctx.actor
    if user is None:
        ctx.refuse("error.not_a_participant")
    if state.status == "closed":
        ctx.refuse("error.closed")
    existing = state.participants.get(user)
    if existing is not None and existing.active:
        ctx.refuse("error.already_joined")
    state = _admit(ctx, state, user, ctx.meta.user_name)
    ctx.reply("join.ok", title=UserText(state.title))
    return state


def invite(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
    if not cmd.mentions:
        ctx.refuse("error.invite_needs_mentions")
    if state.status == "closed":
        ctx.refuse("error.closed")
    added = 0
    for user in dict.fromkeys(cmd.mentions):
        existing = state.participants.get(user)
        if existing is not None and existing.active:
            continue
        state = _admit(ctx, state, user, "")
        added += 1
    ctx.reply("invite.ok", count=added)
    ctx.audit_target = str(added)
    return state


def consent(ctx: Ctx, state: Intervention, value: str) -> Intervention:
    user = ctx.actor
    member = state.participants.get(user) if user is not None else None
    if member is None or not member.active or user is None:
        ctx.refuse("error.not_a_participant")
    if value not in ("accept", "decline"):
        ctx.refuse("error.unknown_action")
    if member.consent == ("accepted" if value == "accept" else "declined"):
        return state  # a second click on the same answer: already done, already confirmed
    if value == "decline":
        ctx.reply("frame.declined")
        return replace(
            state, participants=put(state.participants, user, replace(member, consent="declined"))
        )
    # The platform tells us the person's name when they act themselves: keep it current.
    member = replace(
        member, consent="accepted", display_name=ctx.meta.user_name or member.display_name
    )
    rounds = dict(state.rounds)
    # Someone who joins late still receives the private rounds that are open.
    for key, rnd in state.rounds.items():
        spec = ctx.flow.round(key)
        if (
            rnd.status == "open"
            and spec is not None
            and spec.space == "dm"
            and (member.role != "facilitator")
        ):
            rounds[key] = replace(rnd, recipients=rnd.recipients | {user})
            ctx.send(ToUser(user), prompt_message("round.prompt", key))
    ctx.reply("frame.accepted", title=UserText(state.title))
    state = replace(state, participants=put(state.participants, user, member), rounds=rounds)
    checkins.welcome(ctx, state, user)
    return state


def leave(ctx: Ctx, state: Intervention) -> Intervention:
    user = ctx.actor
    member = state.participants.get(user) if user is not None else None
    if member is None or not member.active or user is None:
        ctx.refuse("error.not_a_participant")
    if member.is_facilitator and len(state.facilitators()) == 1:
        ctx.refuse("error.last_facilitator")
    # What happens to earlier anonymous contributions is the leaver's choice.
    ctx.send(
        ToUser(user),
        Message(
            # With full anonymity, answers of closed rounds can no longer be found: say so.
            "leave.choose" if state.anonymity == "group" else "privacy.leave_choose_full",
            buttons=(
                Button("contributions", "button.keep_contributions", "keep"),
                Button("contributions", "button.delete_contributions", "delete", "danger"),
            ),
        ),
    )
    ctx.reply("leave.ok")
    return replace(
        state, participants=put(state.participants, user, replace(member, left_at=ctx.now))
    )


def contributions(ctx: Ctx, state: Intervention, value: str) -> Intervention:
    user = ctx.actor
    member = state.participants.get(user) if user is not None else None
    if member is None or user is None or member.active:
        ctx.refuse("error.unknown_action")
    if value == "delete":
        # The runner erases them and tells the person exactly what went and what stays.
        ctx.add(Forget(user, erase_member=False, texts=parties.texts_of(state, user)))
        ctx.add(Audit(UserId(""), "erasure", "answers"))
        responses = {i: r for i, r in state.responses.items() if r.author != user}
        return replace(state, responses=responses, conflicts=parties.without(state, user))
    ctx.reply("leave.kept")
    return state


def forget(ctx: Ctx, state: Intervention) -> Intervention:
    """Erase everything held about the person in this intervention (GDPR erasure). The state
    forgets them here; the runner erases the rest from the store (bot/erasure.py)."""
    user = ctx.actor
    if user is None or user not in state.participants:
        ctx.refuse("error.not_a_participant")
    if state.participants[user].is_facilitator and len(state.facilitators()) == 1:
        ctx.refuse("error.last_facilitator")
    ctx.add(Forget(user, erase_member=True, texts=parties.texts_of(state, user)))
    # The audit log says that an erasure happened, never whose.
    ctx.add(Audit(UserId(""), "erasure", "member"))
    return without_member(ctx, state, user)


def without_member(ctx: Ctx, state: Intervention, user: UserId) -> Intervention:
    """The intervention with no trace of `user`: their answers in open rounds, their place
    among recipients and sub-group members, the actions they owned (kept, with no owner, and
    no reminder to anyone) and the commands they planned (cancelled)."""
    for action in state.actions:
        if action.owner == user:
            ctx.add(Cancel(f"action:{action.id}"))
    for planned in state.scheduled:
        if planned.actor == user:
            ctx.add(Cancel(f"sched:{planned.id}"))
    return replace(
        state,
        participants=without(state.participants, (user,)),
        apart=apart.without(state, user),
        conflicts=parties.without(state, user),
        responses={i: r for i, r in state.responses.items() if r.author != user},
        rounds={
            k: replace(r, recipients=r.recipients - {user}, deferred=r.deferred - {user})
            for k, r in state.rounds.items()
        },
        subgroups=tuple(
            replace(
                g,
                members=tuple(m for m in g.members if m != user),
                report=reportback.without(g, user),
            )
            for g in state.subgroups
        ),
        actions=tuple(
            replace(a, owner=UserId("")) if a.owner == user else a for a in state.actions
        ),
        scheduled=tuple(a for a in state.scheduled if a.actor != user),
        # A facilitator who leaves for good takes their private notes and previews along.
        notes=tuple(n for n in state.notes if n.by != user),
        wording=replace(
            state.wording, drafts=tuple(d for d in state.wording.drafts if d.actor != user)
        ),
    )


def _member(ctx: Ctx, state: Intervention) -> Participant:
    user = ctx.actor
    member = state.participants.get(user) if user is not None else None
    if member is None:
        ctx.refuse("error.not_a_participant")
    return member


def keep_platform_language(state: Intervention | None, meta: EventMeta) -> Intervention | None:
    """What the platform says of a person's language is kept each time they act, so what
    reaches them privately later (prompts, reminders, syntheses) is in it."""
    member = state.participants.get(meta.user) if state and meta.user else None
    if state is None or member is None or meta.locale in (None, member.platform_locale):
        return state
    member = replace(member, platform_locale=meta.locale)
    return replace(state, participants=put(state.participants, member.user, member))


def set_lang(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
    member = _member(ctx, state)
    choice = cmd.words[0].lower() if cmd.words else ""
    if choice not in ("fr", "en"):
        ctx.refuse("error.lang_choices")
    member = replace(member, locale="fr" if choice == "fr" else "en")
    ctx.reply("lang.ok", locale=choice)
    return replace(state, participants=put(state.participants, member.user, member))


def set_tz(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
    member = _member(ctx, state)
    name = cmd.words[0] if cmd.words else ""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        ctx.refuse("error.unknown_timezone", tz=name[:60])
    ctx.reply("tz.ok", tz=name)
    return replace(
        state, participants=put(state.participants, member.user, replace(member, timezone=name))
    )


def profile(ctx: Ctx, state: Intervention, cmd: Command) -> Intervention:
    """Declared attributes (team=ops site=Lyon), the only ones grouping may ever use."""
    member = _member(ctx, state)
    if not cmd.words:
        shown = ", ".join(f"{k}={v}" for k, v in sorted(member.attributes.items()))
        ctx.reply("profile.show", attributes=UserText(shown or "-"))
        return state
    attributes = dict(member.attributes)
    for word in cmd.words:
        key, sep, value = word.partition("=")
        key = key.lower()
        if not sep or not ATTRIBUTE_KEY.match(key) or len(value) > MAX_ATTRIBUTE_VALUE:
            ctx.refuse("error.profile_syntax")
        if value:
            attributes[key] = value
        else:
            attributes.pop(key, None)
    if len(attributes) > MAX_ATTRIBUTES:
        ctx.refuse("error.profile_too_many", limit=MAX_ATTRIBUTES)
    shown = ", ".join(f"{k}={v}" for k, v in sorted(attributes.items()))
    ctx.reply("profile.show", attributes=UserText(shown or "-"))
    return replace(
        state,
        participants=put(state.participants, member.user, replace(member, attributes=attributes)),
    )
