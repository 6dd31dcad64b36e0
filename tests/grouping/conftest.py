"""Shared fixtures for the grouping solver tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def _benchdata() -> Path:
    override = os.environ.get("TSTBOT_BENCHDATA")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2].parent / "shared" / "benchdata" / "mdgp"


@pytest.fixture(scope="session")
def mdgp_dir() -> Path:
    path = _benchdata()
    if not (path / "best_known.csv").is_file():
        pytest.skip(f"MDGP benchmark data not found at {path}")
    return path
