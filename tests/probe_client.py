"""The bot's probes read over HTTP, as Prometheus and an orchestrator read them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aiohttp
from prometheus_client.parser import text_string_to_metric_families


@dataclass(frozen=True)
class Scrape:
    """One /metrics answer: every sample by name and labels."""

    samples: dict[tuple[str, frozenset[tuple[str, str]]], float]

    def value(self, name: str, **labels: str) -> float | None:
        return self.samples.get((name, frozenset(labels.items())))

    def names(self) -> set[str]:
        return {name for name, _labels in self.samples}


async def scrape(base_url: str) -> Scrape:
    async with aiohttp.ClientSession() as http, http.get(f"{base_url}/metrics") as answer:
        assert answer.status == 200, answer.status
        assert answer.headers["Content-Type"].startswith("text/plain")
        text = await answer.text()
    samples = {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    return Scrape(samples)


async def healthz(base_url: str) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as http, http.get(f"{base_url}/healthz") as answer:
        return answer.status, await answer.json()
