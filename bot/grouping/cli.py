"""`tst grouping`: solve an MDGPLIB instance from the command line and print JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

grouping_app = typer.Typer(help="Maximally diverse grouping solver (MDGPLIB format).")


@grouping_app.command("solve")
def solve_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="MDGPLIB instance")],
    seconds: Annotated[float, typer.Option("--seconds", min=0.0, help="time budget")] = 3.0,
    seed: Annotated[int, typer.Option("--seed", help="random seed")] = 0,
) -> None:
    """Print one JSON object: the objective, and the 0-based group of each element."""
    from bot.cli_support import UserError

    # Imported here: the search compiles its kernels (numba), which other `tst` commands
    # should not pay for at start-up.
    from bot.grouping.mdgp import is_feasible, read_instance, solve

    try:
        instance = read_instance(file)
    except (ValueError, OSError) as error:
        raise UserError(f"{file}: {error}") from None
    value, labels = solve(instance, seconds, seed)
    if not is_feasible(instance, labels):  # cannot happen: the search keeps sizes in bounds
        raise typer.Exit(code=2)
    typer.echo(json.dumps({"objective": round(value, 6), "groups": labels}))


@grouping_app.callback()
def main() -> None:
    """Grouping tools."""
