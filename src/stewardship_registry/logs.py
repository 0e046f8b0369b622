"""The registry's log: one JSON object per line on stderr, for journald, Docker or a file.

Every line has ``time`` (UTC, ISO 8601), ``level``, ``logger`` and ``message``;
a line written while a request is served has its ``request_id``; a request's own
line (:mod:`.request_log`) adds ``method``, ``path``, ``status``, ``duration_ms``,
``client`` and ``caller``; an error adds ``error`` with its traceback. Every
string passes :func:`stewardship.domain.redaction.redact` first, so a token that
reached a message or a traceback is blanked out.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

from stewardship.domain.redaction import redact

from .request_log import request_id


def _clean(value: Any) -> Any:
    return redact(value) if isinstance(value, str) else value


class JsonLinesFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = request_id.get()
        if rid:
            line["request_id"] = rid
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            line.update(fields)
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps({k: _clean(v) for k, v in line.items()}, default=str)


def configure_logging(stream: TextIO | None = None, level: int = logging.INFO) -> logging.Handler:
    """Send every log record of the process (uvicorn's too) to ``stream`` as JSON lines."""
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(JsonLinesFormatter())
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h.formatter, JsonLinesFormatter)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    return handler
