"""Prometheus series of one app, in a registry of its own: deliveries, due lag, 429s, queue."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import case, func, select

from bot.core.ports import CAUSES
from bot.storage import orm
from bot.storage.store import SqlStore

# The outbox kinds the runner writes: their series exist (at 0) before the first row does.
KINDS = ("send", "open_space", "close_space", "timer", "groups", "export", "report", "link")
# Seconds from due time to delivery: sub-second when healthy, minutes when backed up.
LAG_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 3600)
RateLimitHook = Callable[[float], None]


MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"  # prometheus_client reads it once, on import


class QueueGauges(Collector):
    """The shared outbox as last read from the database: the same in every process, so they
    are kept apart from the per-process counters and never summed across processes."""

    def __init__(self) -> None:
        self.counts: dict[str, dict[str, int]] = {}  # series -> kind -> rows
        self.causes: dict[str, int] = {}  # dead letters by cause, never by person
        self.database_up: int | None = None

    def collect(self) -> Iterator[Metric]:
        helps = {
            "tst_outbox_pending": "Outbox rows not yet delivered, by kind.",
            "tst_outbox_overdue": "Pending rows whose due time has passed.",
            "tst_outbox_dead": "Rows that could not be delivered (dead letters).",
        }
        for name, help_text in helps.items():
            family = GaugeMetricFamily(name, help_text, labels=["kind"])
            for kind, rows in sorted(self.counts.get(name, {}).items()):
                family.add_metric([kind], rows)
            yield family
        dead = GaugeMetricFamily(
            "tst_dead_letters",
            "Undelivered rows by cause (not_in_channel, dm_closed...).",
            labels=["cause"],
        )
        for cause, rows in sorted(self.causes.items()):
            dead.add_metric([cause], rows)
        yield dead
        up = GaugeMetricFamily("tst_database_up", "1 when the last scrape could read the database.")
        if self.database_up is not None:
            up.add_metric([], self.database_up)
        yield up


class Metrics:
    """Counters and the due-lag histogram count what this process did; the queue gauges are
    read from the database at scrape time, so every process reports the same shared queue.
    Under `tst run --workers N` the processes share a directory (PROMETHEUS_MULTIPROC_DIR,
    set before any of them imports prometheus_client) and the one that serves /metrics
    adds up everybody's counters."""

    def __init__(self) -> None:
        # Not the global default registry: two apps in one process (tests) never collide.
        self.registry = CollectorRegistry()
        r = self.registry
        self.queue = QueueGauges()
        r.register(self.queue)
        self.due_lag = Histogram(
            "tst_delivery_due_lag_seconds",
            "Seconds from an outbox row's due time to its delivery.",
            buckets=LAG_BUCKETS,
            registry=r,
        )
        self._deliveries: dict[tuple[str, str], Counter] = {}
        self.deliveries = Counter(
            "tst_deliveries", "Delivery attempts by outcome.", ["platform", "outcome"], registry=r
        )
        self.rate_limited = Counter(
            "tst_rate_limited", "HTTP 429 answers from a chat platform.", ["platform"], registry=r
        )
        self.rate_limit_seconds = Counter(
            "tst_rate_limit_wait_seconds",
            "Seconds those 429s asked to wait (Retry-After).",
            ["platform"],
            registry=r,
        )

    def delivered(self, platform: str, outcome: str, lag_seconds: float | None = None) -> None:
        """One outbox row handled: outcome is done, retry or dead."""
        counter = self._deliveries.get((platform, outcome))
        if counter is None:
            # Looked up once per label pair: a fan-out counts thousands of rows a second.
            counter = self._deliveries[(platform, outcome)] = self.deliveries.labels(
                platform, outcome
            )
        counter.inc()
        if lag_seconds is not None:
            self.due_lag.observe(max(0.0, lag_seconds))

    def rate_limit_hook(self, platform: str) -> RateLimitHook:
        """What a chat port calls with the Retry-After of each 429 it sees."""
        count = self.rate_limited.labels(platform)
        seconds = self.rate_limit_seconds.labels(platform)

        def saw(retry_after: float) -> None:
            count.inc()
            seconds.inc(max(0.0, retry_after))

        return saw

    async def read_queue(self, store: SqlStore, now: datetime) -> None:
        """Refresh the queue gauges with one grouped COUNT (the status/due_at index serves it).
        On a database error the gauges are cleared, not left stale, and the error propagates."""
        row = orm.OutboxRow
        query = (
            select(
                row.status,
                row.kind,
                func.count(),
                func.sum(case((row.due_at <= now, 1), else_=0)),
            )
            .where(row.status.in_(("pending", "dead")))
            .group_by(row.status, row.kind)
        )
        by_cause = (
            select(row.last_error, func.count())
            .where(row.status == "dead")
            .group_by(row.last_error)
        )
        try:
            async with store.sessions() as s:
                found = (await s.execute(query)).all()
                causes = (await s.execute(by_cause)).all()
        except Exception:
            self.queue.counts, self.queue.causes, self.queue.database_up = {}, {}, 0
            raise
        # Every cause has its series (at 0 too); a row from before causes counts as refused.
        self.queue.causes = dict.fromkeys(CAUSES, 0)
        for cause, n in causes:
            known = cause if cause in CAUSES else "refused"
            self.queue.causes[known] += int(n)
        counts: dict[tuple[str, str], tuple[int, int]] = {
            (status, kind): (int(n), int(due or 0)) for status, kind, n, due in found
        }
        kinds = sorted(set(KINDS) | {kind for _status, kind in counts})
        pending = {kind: counts.get(("pending", kind), (0, 0)) for kind in kinds}
        self.queue.counts = {
            "tst_outbox_pending": {kind: n for kind, (n, _due) in pending.items()},
            "tst_outbox_overdue": {kind: due for kind, (_n, due) in pending.items()},
            "tst_outbox_dead": {kind: counts.get(("dead", kind), (0, 0))[0] for kind in kinds},
        }
        self.queue.database_up = 1

    def exposition(self) -> bytes:
        """The text format Prometheus scrapes: with several processes, the counters of all
        of them (from the shared directory) and the queue once."""
        shared = os.environ.get(MULTIPROCESS_DIR)
        if not shared:
            return generate_latest(self.registry)
        everyone = CollectorRegistry()
        MultiProcessCollector(everyone, shared)  # type: ignore[no-untyped-call]
        everyone.register(self.queue)
        return generate_latest(everyone)
