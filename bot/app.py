"""Composition root: build(settings) wires store, catalog, renderer, runner and dispatcher."""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from bot.config import Settings
from bot.core.commands import CommandTable
from bot.core.ports import ChatPort, Clock, SystemClock
from bot.delivery import Dispatcher
from bot.flows.command_table import TABLE, Runs
from bot.flows.context import Policy
from bot.flows.spec import Flow
from bot.flows.timing import QuietHours, parse_days
from bot.flows.tst import tst_flow
from bot.i18n.catalog import Catalog
from bot.i18n.render import Renderer
from bot.log_guard import guard as guard_logs
from bot.metrics import Metrics
from bot.retries import DeliveryPolicy
from bot.runtime import Runner
from bot.storage.retention import Retention
from bot.storage.store import SqlStore, make_engine
from bot.web.links import Links


@dataclass(slots=True)
class App:
    settings: Settings
    store: SqlStore
    flow: Flow
    renderer: Renderer
    runner: Runner
    dispatcher: Dispatcher
    metrics: Metrics
    retention: Retention
    # The one command table; adapters that show commands (Discord's tree) get it from here.
    commands: CommandTable[Runs] = TABLE


def policy_from(settings: Settings) -> Policy:
    d = settings.defaults
    return Policy(
        locale=d.locale,
        timezone=d.timezone,
        k_anonymity_min=d.k_anonymity_min,
        address_form=d.address_form,
        retention_days=d.retention_days,
        not_now_hours=d.not_now_hours,
        group_size_min=d.group_size_min,
        group_size_max=d.group_size_max,
        quiet=QuietHours(d.day_start, d.day_end, parse_days(d.working_days)),
        web=settings.web.enabled,
        pull_above=d.pull_above,
    )


def build(
    settings: Settings,
    ports: Mapping[str, ChatPort],
    clock: Clock | None = None,
    worker: str | None = None,
) -> App:
    clock = clock or SystemClock()
    store = SqlStore(make_engine(settings.database.url))
    guard_logs()  # before anything can log a payload
    flow = tst_flow()
    renderer = Renderer(Catalog.load(), flow, settings.defaults.retention_days)
    runner = Runner(store, flow, renderer, clock, policy_from(settings))
    d = settings.delivery
    metrics = Metrics()
    retention = Retention(store, settings.defaults.retention_days)
    dispatcher = Dispatcher(
        store,
        ports,
        runner,
        renderer,
        clock,
        worker or f"{socket.gethostname()}:{os.getpid()}",
        DeliveryPolicy(
            lease=timedelta(seconds=d.lease_seconds),
            batch=d.batch,
            max_attempts=d.max_attempts,
            grouping_seconds=d.grouping_seconds,
            concurrency=d.concurrency,
            hold_seconds=d.hold_seconds,
        ),
        metrics=metrics,
        retention=retention,
        links=Links(settings.web, renderer, clock) if settings.web.enabled else None,
    )
    return App(settings, store, flow, renderer, runner, dispatcher, metrics, retention)
