"""Logging with no user data: libraries log whole updates, URLs holding the token and exception
reprs, so their records keep only format strings and exception types (unless
PENAH_UNSAFE_DEBUG=1); tokens are redacted always. Later lines of a record are indented, so none
passes for a record, and a run of identical records is written once, then counted."""

from __future__ import annotations

import contextlib
import logging
import re
import sys
import time
import traceback
from collections.abc import Callable, Iterator

TOKEN = re.compile(r"\d{5,16}:[A-Za-z0-9_-]{30,}")
# httpx and httpcore log each request's URL, which holds the token; the others every request.
QUIET = ("httpx", "httpcore", "hpack", "apscheduler", "tornado.access", "aiosqlite", "aiohttp")
OWN = "bot"  # Penah's loggers: "bot", "bot.telegram", …
# A %-style conversion: each becomes a placeholder, its value never formatted.
CONVERSION = re.compile(r"%(\([^)]*\))?[-#0 +]*(\*|\d+)?(\.(\*|\d+))?[diouxXeEfFgGcrsa%]")
# Where a message with no format string may start quoting a value.
VALUE_START = re.compile(r"[:=<>'\"\[{#@\n]")
LONG_NUMBER = re.compile(r"\d{5,}")
WITHHELD = "…"
MAX_LIBRARY_MESSAGE = 200
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
REPEAT_SECONDS = 10.0  # a flood of one record is summed up this often while it lasts


def safe_message(record: logging.LogRecord) -> str:
    """A library record's message with every value it would carry left out."""
    msg = record.msg
    if isinstance(msg, str) and record.args:
        text = CONVERSION.sub(lambda m: "%" if m.group() == "%%" else WITHHELD, msg)
    elif isinstance(msg, str):
        text = VALUE_START.split(msg, maxsplit=1)[0].rstrip()
    else:  # an object logged as the message: its type only
        text = f"<{type(msg).__name__}>"
    return LONG_NUMBER.sub("#", text)[:MAX_LIBRARY_MESSAGE] or WITHHELD


def chain(error: BaseException) -> Iterator[BaseException]:
    """An exception, then its causes and contexts, each once (a chain may loop)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def safe_exception(error: BaseException) -> str:
    """Exception types of the chain and the innermost frame's place; no exception text."""
    kinds = " <- ".join(type(cause).__name__ for cause in chain(error))
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return f"[{kinds}]"
    file = "/".join(frames[-1].filename.replace("\\", "/").split("/")[-2:])
    return f"[{kinds} at {file}:{frames[-1].lineno} in {frames[-1].name}]"


class SafeRecords(logging.Filter):
    """On the handler: library records rewritten to a safe form, tokens redacted from all."""

    def __init__(self, unsafe: bool = False) -> None:
        super().__init__()
        self.unsafe = unsafe

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.unsafe and record.name.split(".")[0] != OWN:
            text = safe_message(record)
            if record.exc_info and record.exc_info[1] is not None:
                text = f"{text} {safe_exception(record.exc_info[1])}"
            record.msg, record.args = text, None
            record.exc_info, record.exc_text, record.stack_info = None, None, None
        message = record.getMessage()
        if TOKEN.search(message):
            record.msg, record.args = TOKEN.sub("[token]", message), None
        if record.exc_info and record.exc_info[1] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            if TOKEN.search(text):
                record.exc_info, record.exc_text = None, TOKEN.sub("[token]", text)
        if record.stack_info and TOKEN.search(record.stack_info):
            record.stack_info = TOKEN.sub("[token]", record.stack_info)
        return True


class IndentedLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return "\n    ".join(super().format(record).splitlines())


class CollapsingHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes a run of identical records (logger, level, message as filtered, exception type)
    once, then how many more there were: every `seconds` while it lasts, and when it ends."""

    def __init__(self, stream: object = None, seconds: float = REPEAT_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(stream)
        self.seconds, self.clock = seconds, clock
        self._last: logging.LogRecord | None = None
        self._last_key: tuple[object, ...] = ()
        self._repeats, self._since = 0, 0.0

    def emit(self, record: logging.LogRecord) -> None:
        kind = record.exc_info[0] if record.exc_info else None
        key = (record.name, record.levelno, record.getMessage(), kind)
        now = self.clock()
        if key == self._last_key:
            self._repeats += 1
            if now - self._since >= self.seconds:
                self._sum_up(now)
            return
        self._sum_up(now)
        self._last, self._last_key = record, key
        super().emit(record)

    def _sum_up(self, now: float) -> None:
        if self._repeats and self._last is not None:
            super().emit(logging.makeLogRecord({
                "name": self._last.name, "levelno": self._last.levelno,
                "levelname": self._last.levelname, "args": (self._repeats,),
                "msg": "… the record above repeated %d more times"}))
        self._repeats, self._since = 0, now

    def close(self) -> None:
        with self.lock or contextlib.nullcontext():
            self._sum_up(self._since)
        super().close()


def setup_logging(level: str = "INFO", stream: object = None, *, unsafe: bool = False) -> None:
    handler = CollapsingHandler(stream or sys.stderr)
    handler.setFormatter(IndentedLines(FORMAT))
    handler.addFilter(SafeRecords(unsafe))
    logging.basicConfig(handlers=[handler], level=level, force=True)
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    if unsafe and level == "DEBUG":
        logging.getLogger(OWN).warning("UNSAFE DEBUG LOGGING: people's messages and the token "
                                       "reach the log. Never use this on a bot real people "
                                       "talk to.")
