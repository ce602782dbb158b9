"""Logging: one line per record with the request id, as text (default) or JSON lines (`LOG_FORMAT=json`).

Every request gets an id: the `X-Request-ID` a proxy in front set (when it looks like one), or a new random one.
It is returned in the response's `X-Request-ID` header and stamped on every log record written while the
request runs, so an error a user reports ("请求编号 …") can be found in the log of whichever worker served it.
"""

from __future__ import annotations

import json
import logging
import re
import uuid

from flask import Flask, g, has_request_context, request

_INCOMING_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"


def current_request_id() -> str:
    """The id of the request being served, or "-" outside a request."""
    if has_request_context():
        return getattr(g, "request_id", None) or "-"
    return "-"


class RequestIdFilter(logging.Filter):
    """Stamps `record.request_id` on every record (a filter on the handler, so library loggers get it too)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, request id, message, and the exception if any."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def init_logging(app: Flask) -> None:
    """Configure the root logger once per process and give each request its id."""
    root = logging.getLogger()
    if not any(isinstance(f, RequestIdFilter) for h in root.handlers for f in h.filters):
        handler = logging.StreamHandler()
        handler.addFilter(RequestIdFilter())
        root.addHandler(handler)
        root.setLevel(logging.WARNING)
    for handler in root.handlers:
        if any(isinstance(f, RequestIdFilter) for f in handler.filters):
            json_lines = str(app.config.get("LOG_FORMAT", "text")).lower() == "json"
            handler.setFormatter(JsonFormatter() if json_lines else logging.Formatter(_TEXT_FORMAT))
    app.logger.setLevel(logging.INFO)

    @app.before_request
    def _assign_request_id():
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _INCOMING_ID.match(incoming) else uuid.uuid4().hex

    @app.context_processor
    def _request_id_in_templates():
        return {"request_id": current_request_id()}

    @app.after_request
    def _return_request_id(response):
        response.headers.setdefault("X-Request-ID", current_request_id())
        return response
