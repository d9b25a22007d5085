"""Replies at human speed: one person walks the menus, pressing a button 150 ms after each new
screen, 150 presses in a row, through the real `penah run` and the stand-in Bot API on
127.0.0.1 (which enforces Telegram's limits, so a 429 would show). The same walk is run against
the bare python-telegram-bot bot (PTB's defaults, AIORateLimiter) in the same run, as the
baseline.

Press → screen is the time from the press reaching the Bot API to the edit reaching it; a press
whose screen is already shown gets no edit (Penah skips it; the bare bot's identical edit is
refused by the API), and counts as shown when the button is answered. The person stays within
the flood guard: Penah is started with PENAH_FLOOD_UPDATES=1000, since a person pressing six
times a second would otherwise be silenced after 20 presses, which is the guard's job.

The person and the stand-in API run in this process, which stamps each call's arrival, so a
collection of this process's own would be counted as the bot's time on the press it lands in
(a full one, with the bare walk's leftovers, fell within a few presses of the same place in
Penah's walk, run after run). So this process collects in each pause before a press, where
nothing is timed; the bots run with their collectors as they come.

python -m benchmarks.walk [--quick] [--presses N] [--think SECONDS]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import JOURNEY, bot_command, emit, machine, percentile, start_and_press
from tests.botprocess import BotProcess
from tests.fakeapi import Call, FakeBotAPI
from tests.fakes import buttons, user

SKIPPED = ("1:x", "1:f", "1:b:", "1:k")  # /clear, /forget, reports and numbers to keep leave them
NO_EDIT_WITHIN = 2.0  # an edit later than this is counted as none


def choices(message: dict[str, Any]) -> list[str]:
    return [b["callback_data"] for b in buttons(message)
            if "callback_data" in b and not b["callback_data"].startswith(SKIPPED)]


async def press_once(api: FakeBotAPI, person: dict[str, Any], data: str,
                     ) -> tuple[float, float | None]:
    """(ms to the answer, ms to the new screen or None when no edit came)."""
    chat, mark = person["id"], len(api.calls)
    query = api.press(person, data)
    pushed = time.monotonic()

    def answered(c: Call) -> bool:
        return c.method == "answerCallbackQuery" and c.params.get("callback_query_id") == query

    def edited(c: Call) -> bool:
        return c.method == "editMessageText" and c.params.get("chat_id") == chat

    answer = await api.wait_for(answered, 10, mark)
    try:
        edit: Call | None = await api.wait_for(edited, NO_EDIT_WITHIN, mark)
    except AssertionError:
        edit = None
    return (answer.at - pushed) * 1000, None if edit is None else (edit.at - pushed) * 1000


async def walk(kind: str, presses: int, think: float, workdir: Path) -> dict[str, Any]:
    async with FakeBotAPI() as api:
        env, args = bot_command(kind, api, workdir)
        env["PENAH_FLOOD_UPDATES"] = "1000"
        async with BotProcess(api, env, workdir, args) as bot:
            await bot.ready()
            person = user(4242)
            await start_and_press(api, person, JOURNEY[:1], within=30)  # /start, English
            rng = random.Random(14)
            answers, shown, unchanged = [], [], 0
            pressed: list[str] = []
            began = time.monotonic()
            for _ in range(presses):
                await asyncio.sleep(think)
                gc.collect()  # this process's own pause, before the press is timed
                pressed.append(rng.choice(choices(api.last_message(person["id"]))))
                answer, screen = await press_once(api, person, pressed[-1])
                answers.append(answer)
                if screen is None:
                    unchanged += 1
                    shown.append(answer)
                else:
                    shown.append(max(answer, screen))
            took = time.monotonic() - began
            code, _ = await bot.stop()
    return {
        "bot": kind, "presses": presses, "think_ms": round(think * 1000), "walk_s": round(took, 1),
        "screen_p50_ms": round(percentile(shown, 50), 1),
        "screen_p99_ms": round(percentile(shown, 99), 1),
        "screen_max_ms": round(max(shown), 1),
        "answer_p99_ms": round(percentile(answers, 99), 1),
        "slowest": [(round(ms, 1), data) for ms, data in sorted(zip(shown, pressed, strict=True),
                                                                 reverse=True)[:3]],
        "unchanged": unchanged, "http_429": len(api.throttled()),
        "refused_edits": len(api.refused_edits()), "exit": code,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="30 presses")
    parser.add_argument("--presses", type=int, help="presses in a row (default 150)")
    parser.add_argument("--think", type=float, default=0.15, help="seconds after each screen")
    args = parser.parse_args()
    presses = args.presses or (30 if args.quick else 150)
    print(machine())
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for kind in ("bare", "penah"):
            r = await walk(kind, presses, args.think, Path(tmp) / kind)
            runs.append(r)
            print(f"  {kind:5} {r['presses']} presses, {r['think_ms']} ms after each screen, "
                  f"{r['walk_s']} s: press -> screen p50 {r['screen_p50_ms']} ms, p99 "
                  f"{r['screen_p99_ms']} ms, max {r['screen_max_ms']} ms; answered p99 "
                  f"{r['answer_p99_ms']} ms; {r['unchanged']} already on screen; "
                  f"{r['http_429']} x 429, {r['refused_edits']} refused edits (exit {r['exit']}); "
                  f"slowest {r['slowest']}")
    penah, bare = runs[1], runs[0]
    print(f"Penah press -> screen p99 {penah['screen_p99_ms']} ms (target: no worse than bare "
          f"PTB's {bare['screen_p99_ms']} ms in the same run, and < 300 ms)")
    emit("walk", {"runs": runs, "penah_p99_ms": penah["screen_p99_ms"],
                  "bare_p99_ms": bare["screen_p99_ms"]})


if __name__ == "__main__":
    asyncio.run(main())
