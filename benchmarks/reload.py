"""Loading and reloading directories at the design size (2,000 resources in 20 files), below it
(500, one file and a folder of 5) and above it (10,000 in 100 files).

For each directory, in a fresh child process that has imported the bot: the first load, the
reload after one edit (one file of a folder; edits 2 s apart, as a person saves a file) timed
to the swap the event loop sees (the change is then live in the menus and in typed search,
which are swapped together), the longest event-loop stall during a reload (a 1 ms ticker's
longest gap, against its idle baseline), the first screens after a swap (the main menu and a
category's first page, drawn on the event loop), and RSS after five reloads. Then, as a person
feels it, a restart: `penah run` started as a process on the directory against the stand-in
Bot API, timed to its first getUpdates, with /start, English, a category and a card pressed
through it (press to screen) and its RSS.

At 500 and 2,000 the same run measures the one mechanism loading keeps, search words folded
by the reader child: the same edits with the words dropped from the child's answer, so the bot
folds every file's words on each reload, and, in-process, the fold of every file against one
file's (`piece_words`), the JSON the words cost on the way and the memory the kept words take.

The directories are synthetic but valid: the seed's resources cloned under new ids, names and
summaries, with the seed's real, checked phone numbers.

python -m benchmarks.reload [--quick] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import dataclasses
import functools
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, cast

import yaml

from benchmarks.common import JOURNEY, emit, machine, memory_kb, penah_env, start_and_press
from bot.loading.reader import Read, Reader
from tests.botprocess import ROOT, BotProcess
from tests.fakeapi import FakeBotAPI
from tests.fakes import user

SEED = ROOT / "resources.yaml"
# name: (resources, files of resources (0: everything in one file), the variants measured
# beside the bot as it is)
SIZES: dict[str, tuple[int, int, tuple[str, ...]]] = {
    "file_500": (500, 0, ("bot_folds",)),
    "folder_500": (500, 5, ("bot_folds",)),
    "folder_2000": (2_000, 20, ("bot_folds",)),
    "folder_10000": (10_000, 100, ()),
}
VARIANTS = {
    "bot_folds": "words folded in the bot",
}


def synthetic(size: int) -> dict[str, Any]:
    """The seed directory grown to `size` resources by cloning its own under new ids."""
    data: dict[str, Any] = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    seed = data["resources"]
    resources = list(seed)
    for i in range(size - len(seed)):
        clone = copy.deepcopy(seed[i % len(seed)])
        clone["id"] = f"syn-{i:05d}"
        clone["name"] = {lang: f"{text} {i}" for lang, text in clone["name"].items()}
        clone["summary"] = {lang: f"{text} ({i})" for lang, text in clone["summary"].items()}
        resources.append(clone)
    data["resources"] = resources[:size]
    return data


def dump(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False,
                     width=200)


def write(path: Path, data: dict[str, Any]) -> None:
    temp = path.with_name(path.name + ".tmp")
    temp.write_text(dump(data), encoding="utf-8")
    os.replace(temp, path)


def write_folder(folder: Path, data: dict[str, Any], files: int) -> Path:
    """`directory.yaml` with everything but the resources, then `files` files of resources;
    the one in the middle, to edit."""
    folder.mkdir(parents=True, exist_ok=True)
    write(folder / "directory.yaml", {k: v for k, v in data.items() if k != "resources"})
    resources = data["resources"]
    step = -(-len(resources) // files)
    for n in range(files):
        write(folder / f"resources-{n:03d}.yaml", {"resources": resources[n * step:(n + 1) * step]})
    return folder / f"resources-{files // 2:03d}.yaml"


def make(tmp: Path, name: str) -> tuple[Path, Path]:
    """The directory called `name` (see SIZES), written under `tmp`: (its path, the file
    edited)."""
    size, files, _ = SIZES[name]
    data = synthetic(size)
    if not files:
        path = tmp / f"{name}.yaml"
        write(path, data)
        return path, path
    return tmp / name, write_folder(tmp / name, data, files)


# ---------------------------------------------------------------------- in the child
async def ticking(
    work: Any, seconds: float = 0.0, watch: Any = None, seen: list[float] | None = None
) -> tuple[Any, float]:
    """Run `work` (or just idle `seconds`) beside a 1 ms ticker; (its result, longest gap s).
    The ticker also notes in `seen` when `watch()` first changes (a swap, as the loop sees it)."""
    stop = asyncio.Event()
    longest = 0.0
    before = watch() if watch else None

    async def ticker() -> None:
        nonlocal longest
        last = time.perf_counter()
        while not stop.is_set():
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            longest = max(longest, now - last)
            last = now
            if watch is not None and seen is not None and not seen and watch() != before:
                seen.append(now)

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0.01)
    result = None
    if work is not None:
        result = await work
    else:
        await asyncio.sleep(seconds)
    stop.set()
    await task
    return result, longest


class WordlessReader(Reader):
    """The reader child's answers without their search words, so typed search folds every
    file's words in the bot on each reload: what the bot would do without the mechanism."""

    def read(self, *args: Any, **given: Any) -> tuple[list[Read], list[Any]]:
        found, problems = super().read(*args, **given)
        return [dataclasses.replace(read, words=cast(Any, None)) for read in found], problems


READERS: dict[str, type[Reader]] = {"bot_folds": WordlessReader}


class Collections:
    """The garbage collector's runs while `recording`: (generation, seconds) each. Only
    watched (gc.callbacks), never changed: the bot runs with the collector as it comes."""

    def __init__(self) -> None:
        self.recording = False
        self.runs: list[tuple[int, float]] = []
        self._began = 0.0
        gc.callbacks.append(self._note)

    def _note(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._began = time.perf_counter()
        elif self.recording:
            self.runs.append((info["generation"], time.perf_counter() - self._began))


def first_screens(current: Any, catalogs: Any) -> float:
    """Seconds to draw the main menu of a place and a category's first page, as the first
    person after a swap gets them (on the event loop; the directory's `prepare()` worked out
    their lookups and display order before the swap)."""
    from bot.core.state import UserState
    from bot.screens.menus import category, main_menu
    from bot.screens.view import View

    view = View(current, catalogs, catalogs.get("en"), UserState("en", "iq-kr"))
    began = time.perf_counter()
    main_menu(view)
    category(view, "gbv", 0)
    return time.perf_counter() - began


async def measure_child(path: Path, edited: Path, repeats: int, variant: str | None,
                        steps: bool) -> dict[str, Any]:
    import bot.telegram.app  # noqa: F401 - the bot's imports, so memory is a running bot's
    from bot.config import shipped_locales
    from bot.i18n.translator import load_catalogs
    from bot.loading.reloader import Reloader

    catalogs = load_catalogs(shipped_locales())
    rss_imports = memory_kb("VmRSS")
    began = time.perf_counter()
    reader = READERS[variant]() if variant else None
    reloader = Reloader.start_with(path, interval=3600.0, reader=reader)
    start_s = time.perf_counter() - began
    rss_loaded = memory_kb("VmRSS")
    text = await asyncio.to_thread(edited.read_text, encoding="utf-8")
    edited_text = text.replace("name:\n    en: ", "name:\n    en: v2 ", 1)
    if edited_text == text:  # a file written another way: a comment
        edited_text = text + "\n# edited\n"
    versions = [text, edited_text]
    _, idle_gap = await ticking(None, 1.0)
    lives, reloads, gaps, screens = [], [], [], []
    collections = Collections()
    generation = functools.partial(getattr, reloader, "generation")
    for k in range(repeats):
        await asyncio.sleep(2.0)  # a person's pace
        temp = edited.with_name(edited.name + ".tmp")
        temp.write_text(versions[(k + 1) % 2], encoding="utf-8")
        os.replace(temp, edited)
        began, swapped = time.perf_counter(), list[float]()
        collections.recording = True
        outcome, gap = await ticking(reloader.reload(), watch=generation, seen=swapped)
        collections.recording = False
        reloads.append(time.perf_counter() - began)
        lives.append(swapped[0] - began)
        gaps.append(gap)
        assert outcome.changed and outcome.error is None, outcome
        screens.append(first_screens(reloader.current, catalogs))
    rss_after = memory_kb("VmRSS") / 1024
    await asyncio.sleep(2.0)  # the bot idles: no collection asked for
    rss_idle = memory_kb("VmRSS") / 1024
    figures: dict[str, Any] = {
        "resources": reloader.current.counts()["resources"],
        "files": len(reloader.source.seen), "variant": variant, "start_s": start_s,
        "live_s": statistics.median(lives), "live_max_s": max(lives),
        "reload_s": statistics.median(reloads), "reload_max_s": max(reloads),
        "reloads": repeats, "stall_max_s": max(gaps), "stall_idle_s": idle_gap,
        "stalls_s": gaps,
        "full_collections": sum(1 for g, _ in collections.runs if g == 2),
        "full_collection_max_s": max((t for g, t in collections.runs if g == 2), default=0.0),
        "collection_max_s": max((t for _, t in collections.runs), default=0.0),
        "first_screens_max_s": max(screens),
        "rss_imports_mb": rss_imports / 1024, "rss_loaded_mb": rss_loaded / 1024,
        "rss_after_reloads_mb": rss_after, "rss_idle_mb": rss_idle,
        "hwm_mb": memory_kb("VmHWM") / 1024,
    }
    if steps:
        figures.update(await asyncio.to_thread(edit_steps, reloader, edited, versions))
        figures.update(word_steps(reloader.current, edited))
    reloader.close()
    return figures


def edit_steps(reloader: Any, edited: Path, versions: list[str]) -> dict[str, float]:
    """One more edit, its two halves timed apart: the files read again and the directory put
    together (the reader child), then typed search's index rebuilt whole."""
    from bot.search.index import Index

    current = edited.read_text(encoding="utf-8")
    edited.write_text(versions[1] if current == versions[0] else versions[0], encoding="utf-8")
    began = time.perf_counter()
    directory, error = reloader.source.refresh()
    refresh_s = time.perf_counter() - began
    assert directory is not None and error is None
    began = time.perf_counter()
    Index(directory)
    return {"edit_refresh_s": refresh_s, "edit_index_s": time.perf_counter() - began}


def median_time(action: Callable[[], object], runs: int = 5) -> float:
    """Median seconds of `action` over `runs` (a collection may fall in any one run)."""
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        action()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def word_steps(directory: Any, edited: Path) -> dict[str, float]:
    """What folding the words costs in this process, for every file and for the edited one;
    the JSON that carries one file's words from its child; the memory of every file's words
    kept for the next rebuild."""
    from bot.search.fold import piece_words

    pieces = directory.pieces
    # the edited file's piece: the one holding its first resource
    first_id = yaml.safe_load(edited.read_text(encoding="utf-8"))["resources"][0]["id"]
    piece = next(p for p in pieces if any(r.id == first_id for r in p.resources))
    words = piece_words(piece.resources, piece.guides)
    sent = json.dumps(words, separators=(",", ":")).encode()
    fold_all = median_time(lambda: [piece_words(p.resources, p.guides) for p in pieces], 3)
    fold_one = median_time(lambda: piece_words(piece.resources, piece.guides))
    json_one = median_time(
        lambda: json.loads(json.dumps(words, separators=(",", ":")).encode()))
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    kept = [{key: {word: bytes(docs) for word, docs in held.items()}
             for key, held in p.words.items()} for p in pieces if p.words is not None]
    words_kb = (tracemalloc.get_traced_memory()[0] - before) / 1024
    tracemalloc.stop()
    del kept
    return {"fold_all_s": fold_all, "fold_one_s": fold_one, "words_json_one_s": json_one,
            "words_json_one_kb": len(sent) / 1024, "words_kept_mb": words_kb / 1024}


# ---------------------------------------------------------------------- a restart, as a process
async def restart(path: Path, workdir: Path) -> dict[str, Any]:
    """`penah run` on this directory: seconds to its first getUpdates, then a person's /start,
    English, a category and a card (press to screen), and the process's RSS."""
    async with FakeBotAPI() as api:
        env = penah_env(api, workdir, path)
        async with BotProcess(api, env, workdir) as bot:
            ready = await bot.ready(within=300.0)
            journey = await start_and_press(api, user(77), JOURNEY, within=30)
            screens = [(p.shown - p.at) * 1000 for p in journey.presses]
            rss = memory_kb("VmRSS", bot.pid)
            code, _ = await bot.stop()
    return {"ready_s": ready, "first_reply_ms": (journey.first_reply - journey.started) * 1000,
            "press_to_screen_ms": screens, "rss_mb": rss / 1024, "exit": code}


# ---------------------------------------------------------------------- the parent
def run_child(path: Path, edited: Path, repeats: int, variant: str | None,
              steps: bool) -> dict[str, Any]:
    command = [sys.executable, "-m", "benchmarks.reload", "--child", str(path), "--edited",
               str(edited), "--repeats", str(repeats)]
    command += ["--variant", variant] if variant else []
    command += ["--steps"] if steps else []
    child = subprocess.run(command, capture_output=True, text=True, timeout=3600, cwd=ROOT,
                           check=False)
    if child.returncode != 0:
        raise SystemExit(f"measuring {path.name} failed:\n{child.stderr[-3000:]}")
    figures: dict[str, Any] = json.loads(child.stdout.strip().splitlines()[-1])
    figures["bytes"] = sum(p.stat().st_size for p in ([path] if path.is_file()
                                                      else path.glob("*.yaml")))
    return figures


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def show(label: str, r: dict[str, Any]) -> None:
    print(f"{label:<34} {r['resources']:>6} resources in {r['files']} file(s), "
          f"{r['bytes'] / 1e6:.1f} MB: first load {r['start_s']:.2f} s; after one edit, live "
          f"(menus and typed search) median {ms(r['live_s'])}, max {ms(r['live_max_s'])} "
          f"(reload done {ms(r['reload_max_s'])}); longest loop stall "
          f"{r['stall_max_s'] * 1000:.1f} ms (idle {r['stall_idle_s'] * 1000:.1f} ms; "
          f"{r['full_collections']} full collections of the garbage collector in the reloads, "
          f"the longest {r['full_collection_max_s'] * 1000:.1f} ms); first "
          f"screens after a swap {r['first_screens_max_s'] * 1000:.1f} ms; RSS "
          f"{r['rss_imports_mb']:.0f} MB with the imports, {r['rss_loaded_mb']:.0f} MB loaded, "
          f"{r['rss_after_reloads_mb']:.0f} MB after {r['reloads']} reloads "
          f"({r['rss_idle_mb']:.0f} MB 2 s later), peak {r['hwm_mb']:.0f} MB", flush=True)
    if "edit_refresh_s" in r:
        print(f"{'':<34} one edit in parts: files read and directory {ms(r['edit_refresh_s'])},"
              f" search index rebuilt {ms(r['edit_index_s'])}; search words folded in this "
              f"process: every file {ms(r['fold_all_s'])}, the edited file "
              f"{r['fold_one_s'] * 1000:.1f} ms; its words' JSON {r['words_json_one_kb']:.0f} kB "
              f"in {r['words_json_one_s'] * 1000:.1f} ms; every file's words kept "
              f"{r['words_kept_mb']:.1f} MB", flush=True)


def show_restart(label: str, runs: Sequence[dict[str, Any]]) -> None:
    for r in runs:
        print(f"{label:<34} restart (`penah run` to its first getUpdates) {r['ready_s']:.2f} s; "
              f"/start answered in {r['first_reply_ms']:.0f} ms, then press -> screen "
              f"{', '.join(f'{t:.0f}' for t in r['press_to_screen_ms'])} ms; RSS "
              f"{r['rss_mb']:.0f} MB (exit {r['exit']})", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true",
                        help="two reloads per directory, one restart")
    parser.add_argument("--only", nargs="+", choices=list(SIZES), help="these directories")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--edited", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--repeats", type=int, default=5, help=argparse.SUPPRESS)
    parser.add_argument("--variant", choices=list(VARIANTS), help=argparse.SUPPRESS)
    parser.add_argument("--steps", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(measure_child(
            args.child, args.edited, args.repeats, args.variant, args.steps))))
        return
    print(machine(), flush=True)
    repeats, restarts = (2, 1) if args.quick else (5, 2)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.only or SIZES:
            path, edited = make(Path(tmp), name)
            results[name] = run_child(path, edited, repeats, None, True)
            show(name, results[name])
            for variant in SIZES[name][2]:
                results[f"{name}_{variant}"] = run_child(path, edited, repeats, variant, False)
                show(f"{name}, {VARIANTS[variant]}", results[f"{name}_{variant}"])
            results[name]["restarts"] = [
                asyncio.run(restart(path, Path(tmp, f"run-{name}-{n}"))) for n in range(restarts)]
            show_restart(name, results[name]["restarts"])
    for name, variant in [(n, v) for n in SIZES for v in SIZES[n][2]]:
        own, other = results.get(name), results.get(f"{name}_{variant}")
        if own and other:
            print(f"{name}: as the bot is against {VARIANTS[variant]}: live "
                  f"{ms(own['live_s'])} / {ms(other['live_s'])} "
                  f"({own['live_s'] / other['live_s']:.2f}x), stall "
                  f"{own['stall_max_s'] * 1000:.1f} / {other['stall_max_s'] * 1000:.1f} ms, "
                  f"longest full collection {own['full_collection_max_s'] * 1000:.1f} / "
                  f"{other['full_collection_max_s'] * 1000:.1f} ms, first load "
                  f"{own['start_s']:.2f} / {other['start_s']:.2f} s, RSS after reloads "
                  f"{own['rss_after_reloads_mb']:.0f} / {other['rss_after_reloads_mb']:.0f} MB")
    design = results.get("folder_2000")
    if design:
        print(f"targets at 2,000 in 20 files: an edit live < 500 ms: {ms(design['live_max_s'])}; "
              f"no loop stall over 50 ms: {design['stall_max_s'] * 1000:.1f} ms; a restart "
              f"< 2 s: {max(r['ready_s'] for r in design['restarts']):.2f} s; RSS < 150 MB "
              f"after 5 reloads: {design['rss_after_reloads_mb']:.0f} MB")
    emit("reload", results)


if __name__ == "__main__":
    main()
