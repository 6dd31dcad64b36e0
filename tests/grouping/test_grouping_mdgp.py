"""The general MDGP mode: instance reading, objective, search and the CLI."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from bot.grouping.cli import grouping_app
from bot.grouping.mdgp import is_feasible, objective, read_instance, solve
from bot.grouping.search import SearchParams


def _reference(mdgp_dir: Path) -> list[dict[str, str]]:
    with (mdgp_dir / "best_known.csv").open() as handle:
        return list(csv.DictReader(handle))


def _solution(mdgp_dir: Path, row: dict[str, str]) -> list[int]:
    """Inline group vector, or the element -> group lines of a TPSDP solution file."""
    if not row["solution"].startswith("solutions/"):
        return [int(x) for x in row["solution"].split()]
    lines = (mdgp_dir / row["solution"]).read_text().splitlines()
    n, groups = int(row["n"]), int(row["groups"])
    body = lines[2 + groups : 2 + groups + n]
    pairs = [tuple(int(x) for x in line.split()) for line in body]
    return [g for _, g in sorted(pairs)]


def test_objective_reproduces_every_reference_value(mdgp_dir: Path) -> None:
    checked = 0
    for row in _reference(mdgp_dir):
        path = mdgp_dir / "instances" / f"{row['instance']}.txt"
        if not path.is_file():
            continue
        instance = read_instance(path)
        labels = _solution(mdgp_dir, row)
        assert is_feasible(instance, labels), row["instance"]
        assert objective(instance, labels) == pytest.approx(float(row["objective"]), abs=1e-3)
        checked += 1
    assert checked >= 10


def test_instance_header_gives_sizes(mdgp_dir: Path) -> None:
    instance = read_instance(mdgp_dir / "instances" / "RanReal_n240_ds_01.txt")
    assert (instance.n, instance.groups) == (240, 12)
    assert instance.lo[0] == 19 and instance.hi[0] == 24
    assert np.allclose(instance.dist, instance.dist.T) and not instance.dist.diagonal().any()


@pytest.mark.parametrize(
    "name",
    [
        "RanReal_n010_ss_01",
        "RanReal_n010_ds_01",
        "RanInt_n012_ss_01",
        "Geo_n012_ss_01",
        "RanReal_n012_ds_01",
    ],
)
def test_search_finds_the_enumerated_optimum_of_small_instances(mdgp_dir: Path, name: str) -> None:
    optimum = {r["instance"]: float(r["objective"]) for r in _reference(mdgp_dir)}[name]
    instance = read_instance(mdgp_dir / "instances" / f"{name}.txt")
    value, labels = solve(instance, seconds=0.3, seed=1)
    assert is_feasible(instance, labels)
    assert value == pytest.approx(optimum, abs=1e-3)
    assert objective(instance, labels) == pytest.approx(value, abs=1e-6)


def test_interval_sizes_are_respected_and_value_is_exact(mdgp_dir: Path) -> None:
    instance = read_instance(mdgp_dir / "instances" / "RanReal_n240_ds_01.txt")
    value, labels = solve(instance, seconds=0.4, seed=3)
    assert is_feasible(instance, labels)
    assert objective(instance, labels) == pytest.approx(value, rel=1e-9)


def test_same_seed_and_step_budget_give_the_same_groups(mdgp_dir: Path) -> None:
    instance = read_instance(mdgp_dir / "instances" / "RanReal_n060_ss_01.txt")
    params = SearchParams(max_steps=400)
    first = solve(instance, seconds=30, seed=7, params=params)
    again = solve(instance, seconds=30, seed=7, params=params)
    other = solve(instance, seconds=30, seed=8, params=params)
    assert first == again
    assert other[1] != first[1]


def test_cli_prints_one_json_object(mdgp_dir: Path) -> None:
    path = mdgp_dir / "instances" / "RanInt_n012_ss_01.txt"
    result = CliRunner().invoke(
        grouping_app, ["solve", str(path), "--seconds", "0.2", "--seed", "4"]
    )
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["objective"] == pytest.approx(985.0)
    assert sorted(np.bincount(answer["groups"]).tolist()) == [3, 3, 3, 3]
