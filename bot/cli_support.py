"""What the command line tells a person when something is wrong: one line, never a traceback."""

from __future__ import annotations

import socket
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError


class UserError(Exception):
    """A mistake a person can act on: the message is the whole story, printed as it is."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def safe_url(url: str) -> str:
    """The database URL as it may be printed: without its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unreadable URL)"


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for another database or an in-memory one)."""
    parsed = make_url(url)
    if not parsed.get_backend_name().startswith("sqlite"):
        return None
    name = parsed.database or ""
    return None if name in ("", ":memory:") or name.startswith("file:") else Path(name)


def require_database(url: str) -> None:
    """Refuse to read a database that is not there, instead of creating an empty one (SQLite
    creates its file on first connect): reading commands must leave the folder as it was."""
    path = sqlite_file(url)
    if path is not None and not path.is_file():
        raise UserError(
            f"no database at {path}: run the bot (tst run) or create it with tst db upgrade"
        )


async def require_schema(url: str) -> None:
    """The database answers and holds this version's tables; otherwise say what to run."""
    from bot.storage.migrate import current_revision, head_revision

    try:
        current = await current_revision(url)
    except Exception as error:  # unreachable, refused, unknown database: one line, the URL
        raise UserError(describe(error, url)) from error
    if current is None:
        raise UserError(f"{safe_url(url)} has no tst-bot tables yet: run tst db upgrade")
    if current != head_revision():
        raise UserError(
            f"{safe_url(url)} is at schema {current}, this version needs {head_revision()}: "
            "run tst db upgrade"
        )


def describe(error: BaseException, url: str | None = None) -> str:
    """One line for an error nobody planned for: what failed, in words, without the stack."""
    if isinstance(error, UserError):
        return str(error)
    where = f" at {safe_url(url)}" if url else ""
    if isinstance(error, DBAPIError):
        reason = str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
        return f"database error{where}: {reason}"
    if isinstance(error, (FileNotFoundError, PermissionError, IsADirectoryError)):
        return f"cannot read {error.filename}: {error.strerror}"
    if isinstance(error, (ConnectionError, socket.gaierror, TimeoutError)):
        return f"database unreachable{where}: {error.strerror or error or 'timed out'}"
    if isinstance(error, SQLAlchemyError):
        first = str(error).strip().splitlines()[0]
        return f"database error{where}: {first}"
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"unexpected error: {type(error).__name__}{': ' + text if text else ''}"
