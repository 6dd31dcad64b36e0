"""Charts (matplotlib, rendered off-screen to PNG): barometer, participation, consent, votes."""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")  # no display: charts are files, for the HTML report and chat uploads
import matplotlib.pyplot as plt

COLOURS = ("#2b6cb0", "#38a169", "#d69e2e", "#c53030", "#718096")


def _png(fig: object) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")  # type: ignore[attr-defined]
    plt.close(fig)  # type: ignore[arg-type]
    return buf.getvalue()


def line(
    title: str, labels: Sequence[str], values: Sequence[float], ylim: tuple[float, float]
) -> bytes:
    fig, ax = plt.subplots(figsize=(6.4, 3.2))
    ax.plot(range(len(values)), values, marker="o", color=COLOURS[0])
    ax.set_xticks(range(len(labels)), labels, rotation=15, ha="right", fontsize=8)
    ax.set_ylim(*ylim)
    ax.set_title(title, fontsize=11)
    ax.grid(axis="y", alpha=0.3)
    return _png(fig)


def bars(
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    second: Sequence[float] | None = None,
    legend: tuple[str, str] = ("", ""),
) -> bytes:
    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    positions = range(len(values))
    if second is None:
        ax.bar(positions, values, color=COLOURS[0])
    else:
        ax.bar(positions, second, color="#cbd5e0", label=legend[1])
        ax.bar(positions, values, color=COLOURS[0], label=legend[0], width=0.6)
        ax.legend(fontsize=8)
    ax.set_xticks(list(positions), labels, rotation=20, ha="right", fontsize=8)
    ax.set_title(title, fontsize=11)
    ax.grid(axis="y", alpha=0.3)
    return _png(fig)


def stacked(title: str, rows: Sequence[str], series: Sequence[tuple[str, Sequence[int]]]) -> bytes:
    fig, ax = plt.subplots(figsize=(6.4, 0.6 + 0.5 * max(1, len(rows))))
    left = [0] * len(rows)
    for i, (name, values) in enumerate(series):
        ax.barh(range(len(rows)), values, left=left, color=COLOURS[i % len(COLOURS)], label=name)
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.set_yticks(range(len(rows)), rows, fontsize=8)
    ax.set_title(title, fontsize=11)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return _png(fig)
