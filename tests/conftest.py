from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import shutil
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar

import pytest
from telegram import Update

from bot.config import Settings, shipped_locales
from bot.directory.model import DirectoryError, Problem
from bot.directory.queries import Directory
from bot.i18n.sensitive import SensitiveTerms, load_terms
from bot.i18n.translator import Catalogs, load_catalogs
from bot.loading.reader import InProcessReader, Read, read_file
from bot.loading.reloader import Reloader, load_directory
from bot.search.index import Index
from bot.telegram.app import PenahBot
from tests import botprocess
from tests.fakes import FakeTelegram, buttons, user

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent
TOKEN = "123456789:AAEtestTOKENtestTOKENtestTOKENtest12"


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: as many workers as cores, twice as many when the e2e tests run with the
    rest, since those wait in real time (people pressing twice a second) and would leave a
    core idle."""
    cores = os.cpu_count() or 1
    return cores if config.getoption("markexpr") == "not e2e" else 2 * cores


class KeptReader(InProcessReader):
    """The in-process reader, keeping what it read of a file's text: most tests start a bot on
    one of two directories, and reading one anew costs more than the rest of the test. Only
    a single file read whole and found valid is kept; it comes back named as asked."""

    kept: ClassVar[dict[str, list[Read]]] = {}  # one for the whole process

    def read(self, names: Sequence[str], folder: Path | None, context: dict[str, Any] | None,
             *, children: int = 1) -> tuple[list[Read], list[Problem]]:
        try:  # as the reader reads: a device or a pipe named here is never read from
            text = read_file(Path(names[0])) if len(names) == 1 and folder is None else None
        except DirectoryError:  # missing, a folder, a device, too large: the reader names it
            text = None
        if text is None:
            return super().read(names, folder, context, children=children)
        key = hashlib.sha256(json.dumps(context).encode() + text).hexdigest()
        if key not in self.kept:
            found, problems = super().read(names, folder, context)
            if problems:
                return found, problems
            self.kept[key] = found
        return [replace(read, name=names[0]) for read in self.kept[key]], []


_INDEXES: dict[tuple[int, ...], tuple[Directory, Index]] = {}


def kept_index(directory: Directory) -> Index:
    """Typed search's index, made once for the same files as read: a kept reading gives the
    same entries and words, objects and all, so their identities name the index."""
    if any(piece.words is None for piece in directory.pieces):
        return Index(directory)
    key = tuple(id(piece.words) for piece in directory.pieces)
    if key not in _INDEXES:  # the directory is held with it, so no id is reused
        _INDEXES[key] = directory, Index(directory)
    return _INDEXES[key][1]


@pytest.fixture(autouse=True)
def _read_in_process_unless_about_the_child(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A child process per read costs more than most tests: only the tests marked
    `reader_child` (isolation, limits, what a folder's children give) and `penah run` read in
    children; the others read the same files in-process, with the same validation."""
    if request.node.get_closest_marker("reader_child") is None:
        monkeypatch.setattr("bot.loading.reloader.Reader", KeptReader)
    monkeypatch.setattr("bot.loading.reloader.Index", kept_index)


@pytest.fixture(autouse=True)
def _e2e_means_a_penah_run_process(request: pytest.FixtureRequest) -> Iterator[None]:
    """`e2e` marks exactly the tests that start `penah run`, so `-m "not e2e"` is fast."""
    marked = request.node.get_closest_marker("e2e") is not None
    botprocess.RUNNING_E2E[0], botprocess.STARTED[0] = marked, False
    yield
    assert botprocess.STARTED[0] or not marked, "marked e2e but started no `penah run`"


@pytest.fixture(autouse=True)
def _no_settings_from_the_shell(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings read PENAH_* and TELEGRAM_* variables: a tester's shell must not change what a
    test sees. A test sets what it means to."""
    for name in [*os.environ]:
        if name.startswith(("PENAH_", "TELEGRAM_")):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def catalogs() -> Catalogs:
    return _shipped_catalogs()


@pytest.fixture(scope="session")
def small_directory() -> Directory:
    return load_directory(DATA / "directory.yaml", InProcessReader())


@pytest.fixture(scope="session")
def shipped_directory() -> Directory:
    return load_directory(ROOT / "resources.yaml", InProcessReader())


@pytest.fixture(scope="session")
def shipped_index(shipped_directory: Directory) -> Index:
    return Index(shipped_directory)


@pytest.fixture(scope="session")
def shipped_terms() -> SensitiveTerms:
    return load_terms(shipped_locales())


@dataclass
class Harness:
    """The real Application and handlers over a fake Telegram; one method per thing people do."""

    fake: FakeTelegram
    bot: PenahBot
    app: Any
    resources: Path

    def _update(self, **payload: Any) -> Update:
        data = {"update_id": self.fake.next_update_id(), **payload}
        return Update.de_json(data, self.app.bot)

    def _message(self, sender: dict[str, Any], **fields: Any) -> dict[str, Any]:
        chat_id = sender["id"]
        message = {
            "message_id": self.fake.next_message_id(),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": sender["first_name"]},
            "from": sender,
            **fields,
        }
        self.fake.chats.setdefault(chat_id, {})[message["message_id"]] = message
        return message

    async def send(self, text: str, sender: dict[str, Any] | None = None,
                   **fields: Any) -> None:
        sender = sender or user()
        message = self._message(sender, text=text, **fields)
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        await self.app.process_update(self._update(message=message))

    async def send_message(self, sender: dict[str, Any] | None = None, **fields: Any) -> None:
        """A message with no text: a photo, a contact, a location, a sticker…"""
        sender = sender or user()
        await self.app.process_update(self._update(message=self._message(sender, **fields)))

    async def press(self, data: str, sender: dict[str, Any] | None = None,
                    message_id: int | None = None) -> None:
        sender = sender or user()
        chat_id = sender["id"]
        if message_id is None:
            message_id = max(self.fake.chats.get(chat_id, {1: None}))
        message = self.fake.chats.get(chat_id, {}).get(message_id) or {
            "message_id": message_id, "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"}, "text": "…",
        }
        query = {"id": str(self.fake.next_update_id()), "from": sender,
                 "chat_instance": "1", "data": data, "message": message}
        await self.app.process_update(self._update(callback_query=query))

    async def tap(self, label_part: str, sender: dict[str, Any] | None = None) -> None:
        """Press the button whose label contains `label_part` on the last screen."""
        sender = sender or user()
        screen = self.screen(sender["id"])
        for button in buttons(screen):
            if label_part in button["text"] and "callback_data" in button:
                await self.press(button["callback_data"], sender, screen["message_id"])
                return
        labels = [b["text"] for b in buttons(screen)]
        raise AssertionError(f"no button with {label_part!r} in {labels}")

    def screen(self, chat_id: int = 4242) -> dict[str, Any]:
        """The bot's latest message in a chat, as the person sees it now."""
        mine = [m for m in self.fake.visible(chat_id) if m.get("from", {}).get("is_bot")]
        assert mine, "the bot has sent nothing to this chat"
        return max(mine, key=lambda m: m["message_id"])


class Clock:
    """A clock tests move by hand: what waits for quiet time is tested without waiting."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def make_settings(tmp_path: Path, **changes: Any) -> Settings:
    resources = tmp_path / "resources.yaml"
    if not resources.exists():
        shutil.copy(DATA / "directory.yaml", resources)
    values: dict[str, Any] = {
        "token": TOKEN,
        "resources": resources,
        "data_dir": tmp_path / "data",
        "locales": shipped_locales(),
        "admin_ids": frozenset({999}),
        "reload_interval": 0.05,
        "chat_messages_per_second": 1000.0,
        "messages_per_second": 1000.0,
        **changes,
    }
    return Settings(**values)


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    async with running_harness(make_settings(tmp_path)) as h:
        yield h


@functools.cache
def _shipped_catalogs() -> Catalogs:
    return load_catalogs(shipped_locales())


def catalogs_in(locales: Path) -> Catalogs:
    """The shipped catalogs are read once for all the tests; a test's own are read anew."""
    return _shipped_catalogs() if locales == shipped_locales() else load_catalogs(locales)


class running_harness:  # used like a function: async with running_harness(settings)
    def __init__(
        self, settings: Settings, clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self.settings = settings
        self.clock = clock  # the guards' time: a person's pace, quiet chats
        self.wall_clock = wall_clock  # the date and time of day: hours and alerts

    async def __aenter__(self) -> Harness:
        fake = FakeTelegram()
        reloader = Reloader.start_with(self.settings.resources, reader=KeptReader(),
                                       interval=self.settings.reload_interval)
        bot = PenahBot(self.settings, reloader, catalogs_in(self.settings.locales), self.clock,
                       self.wall_clock)
        app = bot.build(request=fake)
        await app.initialize()
        assert app.post_init is not None
        await app.post_init(app)
        await app.start()  # the update processor, as under run_polling; updates come directly
        self.harness = Harness(fake, bot, app, self.settings.resources)
        return self.harness

    async def __aexit__(self, *exc: object) -> None:
        app = self.harness.app
        assert app.post_stop is not None and app.post_shutdown is not None
        await app.stop()
        await app.post_stop(app)
        await app.shutdown()
        await app.post_shutdown(app)
