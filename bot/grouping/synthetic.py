"""Synthetic TST-like rosters (PERFORMANCE.md A6) for tests and benchmarks."""

from __future__ import annotations

import numpy as np

from bot.grouping.model import Person

SITES = ("Lyon", "Paris", "Lille", "Nantes", "Brest")
SITE_SHARE = (0.40, 0.25, 0.15, 0.10, 0.10)
ROLES = ("engineering", "product", "sales", "support", "ops", "hr")
ROLE_SHARE = (0.50, 0.10, 0.10, 0.10, 0.10, 0.10)
SENIORITY = ("junior", "mid", "senior", "lead")
WEIGHTS = {"team": 1.0, "role": 1.0, "site": 1.0, "seniority": 0.5}


def roster(n: int, seed: int = 0) -> list[Person]:
    """Teams of 8, role in 6 values (half engineering), site in 5 skewed values, 4 levels."""
    rng = np.random.default_rng(seed)
    roles = rng.choice(len(ROLES), size=n, p=ROLE_SHARE)
    sites = rng.choice(len(SITES), size=n, p=SITE_SHARE)
    levels = rng.integers(0, len(SENIORITY), size=n)
    return [
        Person(
            id=f"p{i:05d}",
            attributes={
                "team": f"team{i // 8:04d}",
                "role": ROLES[int(roles[i])],
                "site": SITES[int(sites[i])],
                "seniority": SENIORITY[int(levels[i])],
            },
        )
        for i in range(n)
    ]
