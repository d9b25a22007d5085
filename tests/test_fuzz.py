"""Hostile input, generated: no exception escapes a handler, no screen breaks Telegram's limits."""

from __future__ import annotations

import asyncio
import itertools
import logging
import threading
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.callbacks import MAX_BYTES
from bot.core.state import UserState
from bot.directory.model import DirectoryError
from bot.directory.queries import Directory
from bot.loading.reloader import Reloader
from bot.loading.validation import parse_directory
from bot.screens.menus import MAX_TEXT
from tests.conftest import ROOT, KeptReader, make_settings, running_harness
from tests.fakes import Call, user
from tests.screen_crawl import walk
from tests.writes import atomic_write

SHIPPED = (ROOT / "resources.yaml").read_text(encoding="utf-8")
T = TypeVar("T")
FUZZ = settings(max_examples=25, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
TEXT = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=4096)
ANY_DATA = st.binary(min_size=1, max_size=64).map(lambda b: b.decode("utf-8", "replace"))


class Live:
    """One running bot for every example of a test (one built per example would cost more
    than the examples themselves): the real harness on its own event loop, in a thread."""

    def __init__(self, settings: Any) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.running = running_harness(settings)
        self.harness = self.run(self.running.__aenter__())
        self.people = itertools.count(20_000)

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(timeout=120)

    def close(self) -> None:
        self.run(self.running.__aexit__(None, None, None))
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()
        self.loop.close()


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    bot = Live(make_settings(tmp_path_factory.mktemp("live"), flood_updates=10_000))
    yield bot
    bot.close()


def run_updates(live: Live, presses: list[str], texts: list[str],
                caplog: pytest.LogCaptureFixture) -> list[Call]:
    """A new person starts, picks English, then presses and types: the calls that followed."""
    person = user(next(live.people))

    async def go() -> list[Call]:
        h = live.harness
        await h.send("/start", person)
        await h.tap("English", person)
        mark = len(h.fake.calls)
        for data in presses:
            await h.press(data, person)
        for text in texts:
            await h.send(text, person)
        return h.fake.calls[mark:]

    caplog.clear()
    with caplog.at_level(logging.ERROR, logger="bot"):
        calls = live.run(go())
    escaped = [r.getMessage() for r in caplog.records if "failed" in r.getMessage()]
    assert escaped == []
    return calls


@FUZZ
@given(presses=st.lists(ANY_DATA, min_size=1, max_size=8))
def test_any_callback_data_is_answered_and_never_escapes(
    live: Live, caplog: pytest.LogCaptureFixture, presses: list[str],
) -> None:
    calls = run_updates(live, presses, [], caplog)
    assert len([c for c in calls if c.method == "answerCallbackQuery"]) == len(presses)


@FUZZ
@given(texts=st.lists(TEXT, min_size=1, max_size=4))
def test_any_text_gets_the_menu_and_is_never_echoed(
    live: Live, caplog: pytest.LogCaptureFixture, texts: list[str],
) -> None:
    calls = run_updates(live, [], texts, caplog)
    replies = [c.params["text"] for c in calls if c.method == "sendMessage"]
    assert len(replies) == len(texts)
    for text in texts:
        if len(text.strip()) > 12:
            assert all(text.strip() not in reply for reply in replies)


# --------------------------------------------------------------------------- directories

IDS = st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True)
WORDS = st.text(st.characters(whitelist_categories=("L", "N", "Zs", "P", "So")),
                min_size=1, max_size=600).filter(lambda s: s.strip())
PHONES = st.sampled_from([("911", "IQ"), ("80069999", "IQ"), ("06 400 8000", "JO"),
                          ("1745", "LB"), ("+961 81 633 133", None)])


@st.composite
def directories(draw: st.DrawFn) -> dict[str, Any]:
    def text() -> dict[str, str]:
        out = {"en": draw(WORDS)}
        if draw(st.booleans()):
            out["ar"] = draw(WORDS)
        return out

    region_ids = draw(st.lists(IDS, min_size=1, max_size=4, unique=True))
    category_ids = draw(st.lists(IDS, min_size=1, max_size=5, unique=True))
    regions = [{"id": r, "name": text()} for r in region_ids]
    categories = [{"id": c, "name": text(), "emergency": i == 0}
                  for i, c in enumerate(category_ids)]
    resources = []
    for i in range(draw(st.integers(0, 25))):
        value, country = draw(PHONES)
        contact: dict[str, Any] = {"type": "phone", "value": value, "hours": text()}
        if country:
            contact["country"] = country
        resources.append({
            "id": f"r{i}", "name": text(), "summary": text(), "operator": "ngo",
            "categories": draw(st.lists(st.sampled_from(category_ids), min_size=1,
                                        max_size=2, unique=True)),
            "regions": draw(st.lists(st.sampled_from(region_ids), min_size=1, max_size=2,
                                     unique=True)),
            "contacts": [contact] * draw(st.integers(1, 4)),
            "caution": text(),
            "source": {"url": "https://example.org/x", "dated": "undated", "read": "2026-11-01"},
        })
    guides = [{"id": f"g{i}", "categories": [category_ids[-1]], "regions": [region_ids[0]],
               "question": text(), "answer": text(),
               "source": {"url": "https://example.org/g", "dated": "2026", "read": "2026-11-01"}}
              for i in range(draw(st.integers(0, 12)))]
    return {"version": 1, "languages": ["en", "ar"], "regions": regions,
            "categories": categories, "resources": resources, "guides": guides}


@FUZZ
@given(data=directories(), lang=st.sampled_from(["en", "ar"]))
def test_any_valid_directory_gives_screens_within_telegrams_limits(
    catalogs: Any, data: dict[str, Any], lang: str
) -> None:
    directory = parse_directory(yaml.safe_dump(data, allow_unicode=True))
    for region in [None, *directory.regions]:
        for action, screen in walk(directory, catalogs, UserState(lang, region)):
            assert len(screen.text) <= MAX_TEXT, action
            for button in screen.buttons():
                assert button.label.strip()
                if button.action:
                    assert len(button.action.encode().encode()) <= MAX_BYTES


# --------------------------------------------------------------------------- broken files


@st.composite
def mutations(draw: st.DrawFn) -> str:
    lines = SHIPPED.split("\n")
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(lines) - 1))
        how = draw(st.sampled_from(["drop", "copy", "indent", "dedent", "char", "colon"]))
        if how == "drop":
            del lines[at]
        elif how == "copy":
            lines.insert(at, lines[at])
        elif how == "indent":
            lines[at] = "  " + lines[at]
        elif how == "dedent":
            lines[at] = lines[at][2:]
        elif how == "colon":
            lines[at] = lines[at].replace(":", "", 1)
        else:
            column = draw(st.integers(0, max(0, len(lines[at]))))
            char = draw(st.sampled_from([*"{}[]:'\"#&*!|>-@`%\t0", "\u2066"]))
            lines[at] = lines[at][:column] + char + lines[at][column:]
    return "\n".join(lines)


@settings(max_examples=60, deadline=None)
@given(text=mutations())
def test_a_mutated_directory_is_accepted_or_reported_with_a_location(text: str) -> None:
    try:
        directory = parse_directory(text, "resources.yaml")
    except DirectoryError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert problem.line >= 1 and problem.column >= 1, problem
            assert str(problem).startswith(f"resources.yaml:{problem.line}:")
    else:
        assert isinstance(directory, Directory)


@pytest.fixture(scope="module")
def shipped_reloader(tmp_path_factory: pytest.TempPathFactory) -> Reloader:
    """A reloader serving the shipped directory, for every example (each puts it back: read
    once, then kept, as every file read whole and found valid is)."""
    path = tmp_path_factory.mktemp("reload") / "resources.yaml"
    path.write_text(SHIPPED, encoding="utf-8")
    return Reloader.start_with(path, reader=KeptReader())


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=mutations())
def test_the_reloader_survives_any_mutation(shipped_reloader: Reloader, text: str) -> None:
    reloader = shipped_reloader
    before = reloader.current
    atomic_write(reloader.path, text)  # a new file each time, as editors save
    outcome = asyncio.run(reloader.reload())
    if outcome.error is not None:
        assert reloader.current is before, "a broken file must leave the last good one serving"
    else:
        assert outcome.changed == (text != SHIPPED)
        assert (reloader.current is before) == (text == SHIPPED)
        if outcome.changed:  # the shipped directory back, for the next example
            atomic_write(reloader.path, SHIPPED)
            assert asyncio.run(reloader.reload()).changed
