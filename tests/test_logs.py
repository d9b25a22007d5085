"""The log under a flood: a run of identical records is written once, then counted."""

from __future__ import annotations

import io
import logging

from bot.ops.logs import FORMAT, CollapsingHandler, IndentedLines, SafeRecords


def flooded_log(records: list[tuple[str, str]], times: list[float]) -> list[str]:
    """What a handler writes for (logger, message) records arriving at these clock times."""
    out = io.StringIO()
    clock = iter(times)
    handler = CollapsingHandler(out, seconds=10.0, clock=lambda: next(clock))
    handler.setFormatter(IndentedLines(FORMAT))
    handler.addFilter(SafeRecords())
    for name, message in records:
        handler.handle(logging.makeLogRecord(
            {"name": name, "levelno": logging.ERROR, "levelname": "ERROR", "msg": message}))
    handler.close()
    return [line.split(" ", 3)[3] for line in out.getvalue().splitlines()]


def test_a_flood_of_one_record_is_written_once_then_counted() -> None:
    accept = ("asyncio", "Exception in callback: accept failed")
    lines = flooded_log([accept] * 10_000 + [("bot.runner", "serving")],
                        [i / 10_000 for i in range(10_001)])
    assert lines == [
        "asyncio: Exception in callback",  # a library's values withheld, as always
        "asyncio: … the record above repeated 9999 more times",
        "bot.runner: serving",
    ]


def test_a_flood_that_goes_on_is_summed_up_every_ten_seconds() -> None:
    lines = flooded_log([("bot.webhook", "refused")] * 31, [float(i) for i in range(31)])
    assert lines == ["bot.webhook: refused"] + [
        "bot.webhook: … the record above repeated 10 more times"] * 3


def test_different_records_are_all_written() -> None:
    records = [("bot.a", "one"), ("bot.a", "two"), ("bot.b", "one"), ("bot.a", "one")]
    assert flooded_log(records, [0.0, 0.1, 0.2, 0.3]) == [
        "bot.a: one", "bot.a: two", "bot.b: one", "bot.a: one"]
