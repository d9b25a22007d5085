"""Logging that carries no user data: quiet HTTP libraries and a token-shaped redaction guard."""

from __future__ import annotations

import logging
import re
import sys

TOKEN = re.compile(r"\d{5,16}:[A-Za-z0-9_-]{30,}")
# httpx and httpcore log each request's URL, which holds the token, at INFO and DEBUG; aiohttp
# (the default client) logs little, and is kept as quiet.
QUIET = ("httpx", "httpcore", "hpack", "apscheduler", "aiohttp")


class RedactTokens(logging.Filter):
    """A second guard: whatever slips into a record, nothing shaped like a bot token leaves."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if TOKEN.search(message):
            record.msg, record.args = TOKEN.sub("[token]", message), None
        if record.exc_info and record.exc_info[1] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            if TOKEN.search(text):
                record.exc_info, record.exc_text = None, TOKEN.sub("[token]", text)
        return True


def setup_logging(level: str = "INFO", stream: object = None) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)  # type: ignore[arg-type]
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactTokens())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
