"""Shared fixtures for the grouping solver tests."""

from __future__ import annotations

from pathlib import Path

import pytest

# The MDGPLIB sample ships with the repository (bench/data/mdgp/README.md says where it comes
# from), so these tests never depend on anything outside the checkout.
MDGP_DIR = Path(__file__).resolve().parents[2] / "bench" / "data" / "mdgp"


@pytest.fixture(scope="session")
def mdgp_dir() -> Path:
    return MDGP_DIR
