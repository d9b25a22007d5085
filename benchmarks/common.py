"""What the benchmarks share: a simulated person, percentiles, the machine's description, and
an in-process driver for timing a bot's own handling without the network or rate limits."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application

from tests.botprocess import PENAH, ROOT, child_env
from tests.fakeapi import Call, FakeBotAPI
from tests.fakes import FakeTelegram, buttons

AnyApp = Application[Any, Any, Any, Any, Any, Any]
BARE = ("-m", "benchmarks.bare_bot")  # the baseline bot's command line, after the interpreter
Chooser = Callable[[dict[str, Any]], str]


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile; nan for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def machine() -> str:
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as fh:
            model = next(line.split(":", 1)[1].strip() for line in fh
                         if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return (f"{now}; {os.cpu_count()} cores ({model}); Python {platform.python_version()}; "
            f"load average {os.getloadavg()[0]:.2f}")


def memory_kb(field_name: str, pid: int | str = "self") -> int:
    """VmRSS, VmHWM, … of this process (or of `pid`), in kB, from /proc/<pid>/status."""
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    raise LookupError(field_name)


def emit(name: str, figures: dict[str, Any]) -> None:
    """One machine-readable line per benchmark, for BENCHMARKS.md."""
    print(f"RESULT {name} " + json.dumps(figures, ensure_ascii=False, default=str), flush=True)


# ---------------------------------------------------------------------- a person, over HTTP
def by_prefix(prefix: str) -> Chooser:
    """Press the first button whose callback data starts with `prefix`."""

    def choose(message: dict[str, Any]) -> str:
        for b in buttons(message):
            if b.get("callback_data", "").startswith(prefix):
                return str(b["callback_data"])
        raise LookupError(f"no {prefix!r} button in {[b['text'] for b in buttons(message)]}")

    return choose


# /start → English → a category → a card: the same path for Penah and the bare bot. Penah's
# seed lists 11 services, no guides, for violence against women: its first page shows cards.
JOURNEY: tuple[Chooser, ...] = (by_prefix("1:L:en"), by_prefix("1:c:gbv:"), by_prefix("1:r:"))


def to_chat(chat_id: int, *methods: str) -> Callable[[Call], bool]:
    return lambda c: c.method in methods and c.params.get("chat_id") == chat_id


@dataclass
class Press:
    data: str
    at: float  # pushed
    answered: float
    shown: float  # the edit reached the API


@dataclass
class Journey:
    user_id: int
    started: float = 0.0
    first_reply: float = 0.0
    presses: list[Press] = field(default_factory=list)
    done: bool = False


async def start_and_press(api: FakeBotAPI, person: dict[str, Any], steps: Sequence[Chooser],
                          within: float) -> Journey:
    """/start, then press one button per step on the screen the bot shows; times of each."""
    chat = person["id"]
    journey = Journey(chat, started=time.monotonic())
    mark = len(api.calls)
    api.send_text(person, "/start")
    journey.first_reply = (await api.wait_for(to_chat(chat, "sendMessage"), within, mark)).at
    for choose in steps:
        journey.presses.append(await press(api, person, choose(api.last_message(chat)), within))
    journey.done = True
    return journey


async def press(api: FakeBotAPI, person: dict[str, Any], data: str, within: float) -> Press:
    chat = person["id"]
    mark = len(api.calls)
    query = api.press(person, data)
    pushed = time.monotonic()
    shown = api.wait_for(to_chat(chat, "editMessageText"), within, mark)
    answered = api.wait_for(
        lambda c: c.method == "answerCallbackQuery" and c.params.get("callback_query_id") == query,
        within, mark,
    )
    edit, answer = await asyncio.gather(shown, answered)
    return Press(data, pushed, answer.at, edit.at)


# ---------------------------------------------------------------------- a bot, in-process
class InProcess:
    """A bot's real Application over tests/fakes.FakeTelegram: updates go straight to
    `process_update`, so the time measured is the bot's own work (plus the fake's JSON)."""

    def __init__(self, app: AnyApp, fake: FakeTelegram) -> None:
        self.app = app
        self.fake = fake

    def _message(self, sender: dict[str, Any], text: str) -> dict[str, Any]:
        chat_id = int(sender["id"])
        message: dict[str, Any] = {
            "message_id": self.fake.next_message_id(), "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Test"},
            "from": sender, "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
        }
        self.fake.chats.setdefault(chat_id, {})[message["message_id"]] = message
        return message

    def command(self, sender: dict[str, Any], text: str) -> Update:
        payload = {"update_id": self.fake.next_update_id(), "message": self._message(sender, text)}
        return Update.de_json(payload, self.app.bot)

    def callback(self, sender: dict[str, Any], choose: Chooser) -> Update:
        chat = self.fake.chats[int(sender["id"])]
        shown = max((m for m in chat.values() if m["from"].get("is_bot")),
                    key=lambda m: m["message_id"])
        query = {"id": str(self.fake.next_update_id()), "from": sender, "chat_instance": "1",
                 "data": choose(shown), "message": shown}
        return Update.de_json({"update_id": self.fake.next_update_id(), "callback_query": query},
                              self.app.bot)

    async def timed(self, update: Update) -> tuple[float, float]:
        """(wall seconds, CPU seconds of this process) for one update's handling."""
        cpu, wall = time.process_time(), time.perf_counter()
        await self.app.process_update(update)
        return time.perf_counter() - wall, time.process_time() - cpu

    async def journeys(self, users: Sequence[dict[str, Any]]) -> list[tuple[float, float]]:
        """Each user's /start and presses, one update at a time; timings of every update."""
        out = []
        for person in users:
            out.append(await self.timed(self.command(person, "/start")))
            for choose in JOURNEY:
                out.append(await self.timed(self.callback(person, choose)))
        return out


def penah_env(api: FakeBotAPI, workdir: Path, resources: Path) -> dict[str, str]:
    """`penah run` settings: a fresh data folder in `workdir` and the directory `resources`.
    (The tests' own helper refuses to start a bot outside a test marked e2e.)"""
    return child_env(api, PENAH_DATA_DIR=str(workdir / "data"),
                     PENAH_RESOURCES=str(resources), PENAH_ADMIN_IDS="999")


def bot_command(
    kind: str, api: FakeBotAPI, workdir: Path
) -> tuple[dict[str, str], tuple[str, ...]]:
    """The environment and command line of Penah (with the seed directory; `penah-httpx` on
    its fallback HTTP client) or the bare bot (PTB's defaults: httpx, AIORateLimiter)."""
    if kind.startswith("penah"):
        env = penah_env(api, workdir, ROOT / "resources.yaml")
        if kind == "penah-httpx":
            env["PENAH_HTTP_CLIENT"] = "httpx"
        return env, PENAH
    return child_env(api), BARE
