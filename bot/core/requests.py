"""The request a task works for (an inbound event, or a delivery batch): an id every log line
of that work carries, so an operator can follow one request through the logs."""

from __future__ import annotations

import contextvars
import uuid

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def begin_request() -> str:
    """Start a request in this task (and the tasks it creates): a short random id."""
    rid = uuid.uuid4().hex[:12]
    request_id.set(rid)
    return rid


def ensure_request() -> str:
    """The current request id, starting one when this task has none."""
    current = request_id.get()
    return current if current != "-" else begin_request()
