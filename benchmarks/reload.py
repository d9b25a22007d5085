"""Reloading large directories: one 10,000-resource file against the same directory as a
folder of 100 files (plus the shipped directory and a 1,000-resource file for scale). For
each: the first load, the reload after one edit (one file of the folder; the shipped file gets
a comment), the longest event-loop stall during a reload, the first category screen after it,
memory after five reloads, and two restarts: one that finds every file as the bot last read it
(its readings kept), and one after a file was edited while the bot was down.

The directories are synthetic but valid: the seed's resources cloned under new ids, names and
summaries, with the seed's real, checked phone numbers. Each is measured in a fresh child
process that first imports the bot (python-telegram-bot included), so its RSS is a bot's. A
ticker task sleeping 1 ms records the longest gap between its wake-ups: any gap beyond the
ticker's idle baseline is time the event loop (every person's buttons) waited. Edits come
2 s apart, as a person saves a file; the single file is the baseline of the same run.

python -m benchmarks.reload [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import functools
import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from benchmarks.common import emit, machine, memory_kb
from tests.botprocess import ROOT

SEED = ROOT / "resources.yaml"
FILES = 100


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
    data["resources"] = resources
    return data


def dump(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False,
                     width=200)


def write(path: Path, data: dict[str, Any]) -> None:
    temp = path.with_name(path.name + ".tmp")
    temp.write_text(dump(data), encoding="utf-8")
    os.replace(temp, path)


def write_folder(folder: Path, data: dict[str, Any]) -> Path:
    """`directory.yaml` with everything but the resources, then 100 files of resources."""
    folder.mkdir(parents=True, exist_ok=True)
    write(folder / "directory.yaml", {k: v for k, v in data.items() if k != "resources"})
    resources = data["resources"]
    step = -(-len(resources) // FILES)
    for n in range(FILES):
        write(folder / f"resources-{n:03d}.yaml", {"resources": resources[n * step:(n + 1) * step]})
    return folder / "resources-042.yaml"


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


async def measure_child(path: Path, edited: Path, repeats: int, steps: bool) -> dict[str, Any]:
    from bot.loading.readcache import ReadCache

    import bot.telegram.app  # noqa: F401 - the bot's imports, so memory is a running bot's
    from bot.loading.reloader import Reloader, keep_the_loop_responsive
    from bot.screens.menus import PAGE_SIZE

    keep_the_loop_responsive()  # as `penah run` does
    rss_imports = memory_kb("VmRSS")
    # First what the bot does: the first load ever (nothing kept from an earlier start), then
    # reloads after an edit, all of whose parsing runs in child processes; memory is read
    # before anything parses here. Restarts with what the bot kept come last.
    cache = ReadCache(Path(tempfile.mkdtemp()), os.urandom(32))
    began = time.perf_counter()
    reloader = Reloader.start_with(path, interval=3600.0, cache=cache)
    start_s = time.perf_counter() - began
    rss_loaded = memory_kb("VmRSS")
    text = await asyncio.to_thread(edited.read_text, encoding="utf-8")
    edited_text = text.replace("name:\n    en: ", "name:\n    en: v2 ", 1)
    if edited_text == text:  # a file written another way (the shipped one): a comment
        edited_text = text + "\n# edited\n"
    versions = [text, edited_text]
    _, idle_gap = await ticking(None, 1.0)
    reloads, lives, gaps, first_queries = [], [], [], []
    generation = functools.partial(getattr, reloader, "generation")
    for k in range(repeats):
        await asyncio.sleep(2.0)  # a person's pace: the next reader child is ready by now
        temp = edited.with_name(edited.name + ".tmp")
        temp.write_text(versions[(k + 1) % 2], encoding="utf-8")
        os.replace(temp, edited)
        began, swapped = time.perf_counter(), list[float]()
        outcome, gap = await ticking(reloader.reload(), watch=generation, seen=swapped)
        reloads.append(time.perf_counter() - began)
        lives.append(swapped[0] - began)
        gaps.append(gap)
        assert outcome.changed and outcome.error is None, outcome
        # the first category screen after a swap: its list, and the page of it shown opened
        began = time.perf_counter()
        current = reloader.current
        for light in current.listed_for("iq-kr", "gbv")[:PAGE_SIZE]:
            current.resources[light.id]
        first_queries.append(time.perf_counter() - began)
    rss_reloaded = memory_kb("VmRSS") / 1024  # the replaced directory not yet freed
    await reloader.retired()
    rss_after = memory_kb("VmRSS") / 1024
    hwm = memory_kb("VmHWM") / 1024
    resources = reloader.current.counts()["resources"]
    reloader.source.parsers.close()
    del reloader
    gc.collect()
    restarts = []
    for _ in range(2):  # files as the bot last read them; then one edited while it was down
        began = time.perf_counter()
        again = Reloader.start_with(path, interval=3600.0, cache=cache)
        restarts.append(time.perf_counter() - began)
        again.source.parsers.close()
        del again
        gc.collect()
        await asyncio.to_thread(edited.write_text, versions[0] + "\n# edited\n",
                                encoding="utf-8")
    restart_s, restart_edited_s = restarts
    shutil.rmtree(cache.folder)
    figures: dict[str, Any] = {
        "resources": resources, "start_s": start_s,
        "restart_s": restart_s, "restart_edited_s": restart_edited_s,
        "reload_s": statistics.median(reloads), "reload_max_s": max(reloads),
        "live_s": statistics.median(lives), "live_max_s": max(lives),
        "stall_max_s": max(gaps), "stall_idle_s": idle_gap,
        "first_query_s": max(first_queries),
        "rss_imports_mb": rss_imports / 1024, "rss_loaded_mb": rss_loaded / 1024,
        "rss_reloaded_mb": rss_reloaded, "rss_after_reloads_mb": rss_after, "hwm_mb": hwm,
    }
    if steps:  # what a child pays for one big file, step by step, here in this process
        from bot.loading.validation import PartFile
        from bot.loading.yamlfile import Loader, decode_file, scan

        whole = decode_file(path)
        gc.disable()
        for name, step in (
            ("scan_s", lambda: scan(whole, "x")),
            ("yaml_s", lambda: yaml.load(whole, Loader=Loader)),
        ):
            began = time.perf_counter()
            result = step()
            figures[name] = time.perf_counter() - began
        began = time.perf_counter()
        PartFile.model_validate(result)
        figures["pydantic_s"] = time.perf_counter() - began
        gc.enable()
    return figures


# ---------------------------------------------------------------------- the parent
def run_one(path: Path, edited: Path, repeats: int, steps: bool) -> dict[str, Any]:
    child = subprocess.run(
        [sys.executable, "-m", "benchmarks.reload", "--child", str(path), "--edited",
         str(edited), "--repeats", str(repeats)] + (["--steps"] if steps else []),
        capture_output=True, text=True, timeout=1800, cwd=ROOT, check=False,
    )
    if child.returncode != 0:
        raise SystemExit(f"measuring {path.name} failed:\n{child.stderr[-3000:]}")
    figures: dict[str, Any] = json.loads(child.stdout.strip().splitlines()[-1])
    figures["bytes"] = sum(p.stat().st_size for p in ([path] if path.is_file()
                                                      else path.glob("*.yaml")))
    return figures


def show(label: str, r: dict[str, Any]) -> None:
    print(f"{label:<28} {r['resources']:>6} resources, {r['bytes'] / 1e6:.1f} MB: first load "
          f"{r['start_s']:.2f} s, restart {r['restart_s']:.2f} s (one file edited meanwhile "
          f"{r['restart_edited_s']:.2f} s); after one edit: live (menus) "
          f"median {r['live_s'] * 1000:.0f} ms, max {r['live_max_s'] * 1000:.0f} ms, typed "
          f"search too median {r['reload_s'] * 1000:.0f} ms, max {r['reload_max_s'] * 1000:.0f} "
          "ms; longest loop stall "
          f"{r['stall_max_s'] * 1000:.1f} ms (idle {r['stall_idle_s'] * 1000:.1f} ms); first "
          f"category screen's list after a reload {r['first_query_s'] * 1000:.1f} ms")
    print(f"{'':<28} RSS {r['rss_imports_mb']:.0f} MB with the bot's imports, "
          f"{r['rss_loaded_mb']:.0f} MB loaded, {r['rss_after_reloads_mb']:.0f} MB after the "
          f"reloads ({r['rss_reloaded_mb']:.0f} MB before the last one freed what it replaced),"
          f" peak {r['hwm_mb']:.0f} MB")
    if "yaml_s" in r:
        print(f"{'':<28} in one process: event scan {r['scan_s']:.2f} s, YAML "
              f"{r['yaml_s']:.2f} s, pydantic {r['pydantic_s']:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="two reloads per directory")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--edited", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--steps", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--repeats", type=int, default=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(
            measure_child(args.child, args.edited, args.repeats, args.steps))))
        return
    print(machine())
    repeats = 2 if args.quick else 5
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        shipped = Path(tmp, "resources.yaml")
        shipped.write_bytes(SEED.read_bytes())
        results["shipped"] = run_one(shipped, shipped, repeats, False)
        show("the shipped directory", results["shipped"])
        small = Path(tmp, "resources-1000.yaml")
        write(small, synthetic(1000))
        results["file_1000"] = run_one(small, small, repeats, False)
        show("one file, 1,000", results["file_1000"])
        data = synthetic(10_000)
        single = Path(tmp, "resources-10000.yaml")
        write(single, data)
        edited = write_folder(Path(tmp, "folder"), data)
        del data
        results["file_10000"] = run_one(single, single, repeats, not args.quick)
        show("one file, 10,000 (baseline)", results["file_10000"])
        results["folder_10000"] = run_one(Path(tmp, "folder"), edited, repeats, False)
        show(f"folder of {FILES + 1} files, 10,000", results["folder_10000"])
    base, folder = results["file_10000"], results["folder_10000"]
    print(f"folder against the single file: first load {folder['start_s'] / base['start_s']:.2f}x,"
          f" restart {folder['restart_s'] / base['restart_s']:.2f}x,"
          f" reload {folder['reload_s'] / base['reload_s']:.3f}x, RSS after reloads "
          f"{folder['rss_after_reloads_mb'] / base['rss_after_reloads_mb']:.2f}x")
    print(f"targets, folder of 10,000: one edit live < 200 ms: {folder['live_max_s'] * 1000:.0f}"
          f" ms (search too {folder['reload_max_s'] * 1000:.0f} ms); no stall > 20 ms: "
          f"{folder['stall_max_s'] * 1000:.1f} ms; cold load < 2 s: "
          f"{folder['restart_s']:.2f} s (first load ever {folder['start_s']:.2f} s); "
          "RSS < 120 MB after 5 reloads: "
          f"{folder['rss_after_reloads_mb']:.0f} MB")
    emit("reload", results)


if __name__ == "__main__":
    main()
