"""One id per request, in every log line it causes, here and in the Celery tasks it queues.

The id is the proxy's `X-Request-ID` when it sends a sane one (so a line in nginx's log and the
portal's share it), else a new one; the response carries it back. A task published while a request
is handled carries it in the message's headers, and the worker's log lines of that task show it.
LOG_FORMAT=json writes one JSON object per line (time, level, logger, message, request_id, and
the traceback of an exception); plain text stays the default for `make run`."""

import json
import logging
import re
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

from celery import signals

request_id: ContextVar[str] = ContextVar("request_id", default="")

HEADER = "X-Request-ID"
_TASK_HEADER = "portal_request_id"
# What a proxy may hand us: no spaces, quotes or control characters in a log line.
_SANE = re.compile(r"[A-Za-z0-9._:-]{8,64}")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        offered = request.headers.get(HEADER, "")
        value = offered if _SANE.fullmatch(offered) else uuid.uuid4().hex
        token = request_id.set(value)
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response[HEADER] = value
        return response


class RequestIdFilter(logging.Filter):
    """Gives every record a `request_id` ("-" outside a request or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get() or "-"
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


@signals.before_task_publish.connect
def _carry_the_request_id(headers=None, **kwargs) -> None:
    value = request_id.get()
    if value and headers is not None:
        headers[_TASK_HEADER] = value


_task_tokens: dict[str, object] = {}


@signals.task_prerun.connect
def _task_takes_the_request_id(task_id=None, task=None, **kwargs) -> None:
    value = getattr(task.request, _TASK_HEADER, None) if task is not None else None
    if value and task_id and not getattr(task.request, "is_eager", False):
        _task_tokens[task_id] = request_id.set(str(value))


@signals.task_postrun.connect
def _task_drops_the_request_id(task_id=None, **kwargs) -> None:
    token = _task_tokens.pop(task_id, None) if task_id else None
    if token is not None:
        request_id.reset(token)  # type: ignore[arg-type]
