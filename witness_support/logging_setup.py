"""Logging that cannot be used to forge lines or leak secrets.

Every record is escaped (CR/LF) and any secret-looking path segment (feed and API tokens) is
masked, so that access logs never carry a token that would let a reader subscribe to a feed.
"""

from __future__ import annotations

import logging
import re

from flask import Flask

_TOKEN_PATTERNS = [
    re.compile(r"(/feeds?/)[A-Za-z0-9_\-]{16,}"),
    re.compile(r"(/(?:password/reset|invite)/)[A-Za-z0-9_\-]{16,}"),  # single-use account links
    re.compile(r"(Bearer\s+)[A-Za-z0-9_\-\.]+", re.IGNORECASE),
    re.compile(r"(wst_)[A-Za-z0-9_\-]+"),
    # Query strings and form-like text: credentials, and the name search (a witness's legal name).
    re.compile(r"(\b(?:token|code|password|name|email)=)[^&\s\"]+", re.IGNORECASE),
]


def scrub(text: str) -> str:
    for pattern in _TOKEN_PATTERNS:
        text = pattern.sub(r"\1***", text)
    return text.replace("\r", "\\r").replace("\n", "\\n")


class ScrubbingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.name == "werkzeug" and not record.args:
            # Werkzeug's own fixed text (the start-up banner: a warning, then " * Running on …"):
            # several lines on purpose and nothing from a request, which always comes as arguments.
            record.msg = "\n".join(scrub(line) for line in message.split("\n"))
        else:
            record.msg = scrub(message)
        record.args = None
        return True


def configure_logging(app: Flask) -> None:
    app.logger.setLevel(app.config.get("LOG_LEVEL", "INFO"))
    scrubber = ScrubbingFilter()
    for name in ("werkzeug", "gunicorn.access", "gunicorn.error", app.logger.name):
        logger = logging.getLogger(name)
        if not any(isinstance(f, ScrubbingFilter) for f in logger.filters):
            logger.addFilter(scrubber)
