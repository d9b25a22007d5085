"""A surge: 200 people at once, each /start → English → a category → a card, against the real
`penah run` (its limiter at the default 30 messages/s) and the stand-in Bot API on 127.0.0.1.

It reports whether everyone was served, the messages delivered per second while the send queue
was full (against the limit), how fast pressed buttons were answered (answerCallbackQuery is
not rate limited, so a person's spinner should stop at once), and where an emergency screen
pressed during the surge lands in the queue, next to an ordinary screen pressed at the same
moment by someone else. The stand-in API enforces Telegram's limits (30 messages in any second,
about one a second per chat beyond answers to a person's own updates), so a 429 would show.

python -m benchmarks.load [--quick] [--users N]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import (
    JOURNEY,
    Journey,
    Press,
    emit,
    machine,
    penah_env,
    percentile,
    press,
    start_and_press,
)
from bot.config import Settings
from tests.botprocess import ROOT, BotProcess
from tests.fakeapi import Call, FakeBotAPI
from tests.fakes import user

SEED = ROOT / "resources.yaml"
LIMIT = Settings().messages_per_second
SENDS = ("sendMessage", "editMessageText")


def backlog_at(api: FakeBotAPI, surge_ids: set[int], at: float) -> int:
    """Screens owed to surge users at `at`: updates the bot had fetched by then, less the
    messages it had delivered (each of these updates asks for exactly one message)."""
    fetched = sum(1 for uid, t in api.delivered_at.items() if uid in surge_ids and t <= at)
    sent = sum(1 for c in api.calls if c.method in SENDS and c.at <= at
               and c.params.get("chat_id", 0) >= SURGE_FIRST)
    return fetched - sent


SURGE_FIRST = 100_000


def saturated_rate(messages: list[Call], backlogs: list[int]) -> tuple[float, int, float]:
    """Messages/s over the deliveries made while at least 2 s of work stayed queued:
    (rate, messages, seconds)."""
    busy = [c.at for c, queued in zip(messages, backlogs, strict=True) if queued >= 2 * LIMIT]
    if len(busy) < 2:
        return float("nan"), len(busy), 0.0
    return (len(busy) - 1) / (busy[-1] - busy[0]), len(busy), busy[-1] - busy[0]


def busiest_second(messages: list[Call]) -> int:
    times = [c.at for c in messages]
    best, j = 0, 0
    for i, t in enumerate(times):
        while times[j] < t - 1.0:
            j += 1
        best = max(best, i - j + 1)
    return best


async def prepare(api: FakeBotAPI, user_id: int) -> dict[str, Any]:
    """Someone who already chose English before the surge, looking at the main menu."""
    person = user(user_id)
    await start_and_press(api, person, JOURNEY[:1], within=30)
    return person


async def surge(users: int, probes: list[float], workdir: Path) -> dict[str, Any]:
    async with FakeBotAPI() as api, \
            BotProcess(api, penah_env(api, workdir, SEED), workdir) as bot:
        await bot.ready()
        pairs = [(await prepare(api, 10 + 2 * i), await prepare(api, 11 + 2 * i))
                 for i in range(len(probes))]
        await asyncio.sleep(3.0)  # full buckets again
        began = time.monotonic()
        journeys = [asyncio.create_task(
            start_and_press(api, user(SURGE_FIRST + i), JOURNEY, within=120))
            for i in range(users)]

        async def probe(delay: float, urgent: dict[str, Any], normal: dict[str, Any],
                        ) -> tuple[float, Press, Press]:
            await asyncio.sleep(delay)
            pressed = time.monotonic()
            results = await asyncio.gather(press(api, urgent, "1:e", 120),
                                           press(api, normal, JOURNEY[1](api.last_message(
                                               normal["id"])), 120))
            return pressed, results[0], results[1]

        probe_tasks = [asyncio.create_task(probe(d, u, n)) for d, (u, n) in zip(probes, pairs,
                                                                                 strict=True)]
        done, _ = await asyncio.wait(journeys, timeout=150)
        finished: list[Journey] = [t.result() for t in done if t.exception() is None]
        probed = [await t for t in probe_tasks]
        stderr = bot.stderr()
        code, _ = await bot.stop()
        for task in journeys:
            task.cancel()

    surge_ids = {uid for uid, sender in api.senders.items() if sender >= SURGE_FIRST}
    messages = [c for c in api.calls if c.method in SENDS
                and c.params.get("chat_id", 0) >= SURGE_FIRST]
    backlogs = [backlog_at(api, surge_ids, c.at) for c in messages]
    rate, busy_messages, busy_seconds = saturated_rate(messages, backlogs)
    answers = [(p.answered - p.at) * 1000 for j in finished for p in j.presses]
    shown = [(p.shown - p.at) * 1000 for j in finished for p in j.presses]
    firsts = [(j.first_reply - j.started) * 1000 for j in finished]
    emergencies = []
    for pressed, urgent, normal in probed:
        def ahead(until: float, pressed: float = pressed) -> int:
            return sum(1 for c in messages if pressed <= c.at < until)
        emergencies.append({
            "at_s": round(pressed - began, 1),
            "queued_at_press": backlog_at(api, surge_ids, pressed),
            "emergency_ms": round((urgent.shown - urgent.at) * 1000),
            "emergency_after_messages": ahead(urgent.shown),
            "ordinary_ms": round((normal.shown - normal.at) * 1000),
            "ordinary_after_messages": ahead(normal.shown),
        })
    return {
        "users": users, "served": len(finished), "exit": code,
        "errors_in_log": stderr.count(" ERROR "),
        "messages": len(messages), "limit_per_s": LIMIT,
        "delivered_per_s": round(rate, 2), "saturated_messages": busy_messages,
        "saturated_s": round(busy_seconds, 1), "busiest_second": busiest_second(messages),
        "surge_s": round(max(c.at for c in messages) - began, 1),
        "answer_p50_ms": round(percentile(answers, 50), 1),
        "answer_p99_ms": round(percentile(answers, 99), 1),
        "answer_max_ms": round(max(answers), 1),
        "screen_p50_ms": round(percentile(shown, 50)),
        "screen_p99_ms": round(percentile(shown, 99)),
        "first_reply_p50_ms": round(percentile(firsts, 50)),
        "first_reply_p99_ms": round(percentile(firsts, 99)),
        "emergency": emergencies,
        "http_429": len(api.throttled()), "refused_edits": len(api.refused_edits()),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="40 people, one probe")
    parser.add_argument("--users", type=int, help="people in the surge (default 200)")
    args = parser.parse_args()
    users = args.users or (40 if args.quick else 200)
    probes = [1.0] if args.quick else [3.0, 8.0, 13.0]
    print(machine())
    with tempfile.TemporaryDirectory() as tmp:
        r = await surge(users, probes, Path(tmp))
    print(f"served {r['served']}/{r['users']} (exit {r['exit']}, {r['errors_in_log']} errors "
          f"logged); {r['messages']} screens in {r['surge_s']} s")
    print(f"Telegram's limits (enforced by the stand-in API): {r['http_429']} x 429 "
          f"(target 0), {r['refused_edits']} refused edits")
    print(f"delivered {r['delivered_per_s']:.1f} messages/s while the queue was full "
          f"({r['saturated_messages']} messages over {r['saturated_s']} s) against a limit of "
          f"{r['limit_per_s']:.0f}/s = {r['delivered_per_s'] / r['limit_per_s'] * 100:.0f} % "
          f"(target >= 90 %); busiest second {r['busiest_second']}")
    print(f"button answered: p50 {r['answer_p50_ms']} ms, p99 {r['answer_p99_ms']} ms, "
          f"max {r['answer_max_ms']} ms (target p99 < 300 ms); screen shown p50 "
          f"{r['screen_p50_ms']} ms, p99 {r['screen_p99_ms']} ms; first reply to /start p50 "
          f"{r['first_reply_p50_ms']} ms, p99 {r['first_reply_p99_ms']} ms")
    for e in r["emergency"]:
        print(f"emergency pressed at +{e['at_s']} s with {e['queued_at_press']} screens queued: "
              f"shown after {e['emergency_ms']} ms, {e['emergency_after_messages']} messages "
              f"went before it; an ordinary screen pressed with it: {e['ordinary_ms']} ms, "
              f"after {e['ordinary_after_messages']}")
    emit("load", r)


if __name__ == "__main__":
    asyncio.run(main())
