"""Everything at DEBUG, every library included, and a reading of what was logged that looks for
answers' texts and for a person named next to one."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager


@contextmanager
def everything_at_debug() -> Iterator[None]:
    """Root and every logger that exists (libraries' own included) at DEBUG, as an operator
    chasing a problem would set them; levels are put back afterwards."""
    loggers = [logging.root] + [
        logging.getLogger(name) for name in list(logging.root.manager.loggerDict)
    ]
    levels = [(lg, lg.level) for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        for lg, level in levels:
            lg.setLevel(level)


def line_of(record: logging.LogRecord) -> str:
    text = record.getMessage()
    if record.exc_info and record.exc_info[1] is not None:
        text += f" {record.exc_info[1]!r}"
    return f"{record.name}: {text}"


def leaks(
    records: Iterable[logging.LogRecord], said: Mapping[str, str], people: Iterable[str]
) -> list[str]:
    """Log lines holding an answer's text, or a person beside an answer's text."""
    found = []
    ids = list(people)
    for record in records:
        line = line_of(record)
        texts = [t for t in said if t in line]
        if texts:
            named = [u for u in ids if u in line]
            found.append(f"{texts} {'beside ' + str(named) if named else ''} in {line[:300]}")
    return found
