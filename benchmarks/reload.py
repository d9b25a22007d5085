"""A directory of 1,000 and 10,000 resources: load + validate time, reload time through the
Reloader, the longest event-loop stall during a reload, and memory.

The directories are synthetic but valid: the seed's resources cloned under new ids and names,
with the seed's real, checked phone numbers. Each size is measured in a fresh child process
that first imports the bot (python-telegram-bot included), so its peak RSS is a bot's.
A ticker task sleeping 1 ms records the longest gap between its wake-ups: during a reload the
parse runs in a worker thread, and any gap beyond the ticker's idle baseline is time the event
loop (every person's buttons) waited.

python -m benchmarks.reload [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import gc
import json
import os
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


def synthetic(size: int) -> dict[str, Any]:
    """The seed directory grown to `size` resources by cloning its own under new ids."""
    data: dict[str, Any] = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    seed = data["resources"]
    resources = list(seed)
    for i in range(size - len(seed)):
        clone = copy.deepcopy(seed[i % len(seed)])
        clone["id"] = f"syn-{i:05d}"
        clone["name"] = {lang: f"{text} {i}" for lang, text in clone["name"].items()}
        resources.append(clone)
    data["resources"] = resources
    return data


def write(path: Path, data: dict[str, Any]) -> None:
    text = yaml.dump(data, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False,
                     width=200)
    temp = path.with_suffix(".tmp")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)


# ---------------------------------------------------------------------- in the child
async def ticking(work: Any, seconds: float = 0.0) -> tuple[Any, float]:
    """Run `work` (or just idle `seconds`) beside a 1 ms ticker; (its result, longest gap s)."""
    stop = asyncio.Event()
    longest = 0.0

    async def ticker() -> None:
        nonlocal longest
        last = time.perf_counter()
        while not stop.is_set():
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            longest = max(longest, now - last)
            last = now

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


async def measure_child(path: Path, repeats: int) -> dict[str, Any]:
    import bot.wiring  # noqa: F401 - the bot's imports, so memory is a running bot's
    from bot.checks import Entries, cross_problems
    from bot.directory import (
        DirectoryFile,
        _parse_yaml,
        decode_file,
        load_directory,
    )
    from bot.reloader import Reloader

    rss_imports = memory_kb("VmRSS")
    text = decode_file(path)
    # First what the bot does: load and reload through the Reloader, whose parse runs in a
    # child process; memory is read before anything else here parses in this process.
    began = time.perf_counter()
    reloader = Reloader.start_with(path, interval=3600.0)
    start_s = time.perf_counter() - began
    rss_loaded = memory_kb("VmRSS")
    versions = [text, text.replace("name:\n    en: ", "name:\n    en: v2 ", 1)]
    assert versions[0] != versions[1]
    _, idle_gap = await ticking(None, 1.0)
    reloads, gaps = [], []
    steps: dict[str, float] = {"start_s": start_s}
    for k in range(repeats):
        temp = path.with_suffix(".tmp")
        temp.write_text(versions[(k + 1) % 2], encoding="utf-8")
        os.replace(temp, path)
        began = time.perf_counter()
        outcome, gap = await ticking(reloader.reload())
        reloads.append(time.perf_counter() - began)
        gaps.append(gap)
        assert outcome.changed and outcome.error is None
        # the first query after a swap builds the new directory's indexes, on the loop
        began = time.perf_counter()
        reloader.current.resources_for("iq-kr", "gbv")
        steps["first_query_s"] = max(steps.get("first_query_s", 0.0), time.perf_counter() - began)
    rss_after = memory_kb("VmRSS") / 1024
    hwm = memory_kb("VmHWM") / 1024

    # Then the parse itself, in this process, step by step (what the child pays).
    began = time.perf_counter()
    directory = load_directory(path)
    load_s = time.perf_counter() - began
    gc.collect()
    gc.disable()  # the same load with the cyclic GC paused: how much of it is collection
    began = time.perf_counter()
    load_directory(path)
    steps["load_gc_paused_s"] = time.perf_counter() - began
    gc.enable()
    began = time.perf_counter()
    data, _ = _parse_yaml(text, str(path))
    steps["yaml_s"] = time.perf_counter() - began
    began = time.perf_counter()
    model = DirectoryFile.model_validate(data)
    steps["pydantic_s"] = time.perf_counter() - began
    began = time.perf_counter()
    cross_problems(Entries.of(model))
    steps["checks_s"] = time.perf_counter() - began
    resources = len(directory.data.resources)
    return {"resources": resources, "bytes": len(text.encode()), "load_s": load_s, **steps,
            "reload_s": statistics.median(reloads), "reload_max_s": max(reloads),
            "stall_max_s": max(gaps), "stall_idle_s": idle_gap,
            "rss_imports_mb": rss_imports / 1024, "rss_loaded_mb": rss_loaded / 1024,
            "rss_after_reloads_mb": rss_after, "hwm_mb": hwm}


# ---------------------------------------------------------------------- the parent
def run_size(size: int, repeats: int, folder: Path) -> dict[str, Any]:
    path = folder / f"resources-{size}.yaml"
    write(path, synthetic(size))
    child = subprocess.run(
        [sys.executable, "-m", "benchmarks.reload", "--child", str(path), "--repeats",
         str(repeats)],
        capture_output=True, text=True, timeout=600, cwd=ROOT, check=True,
    )
    figures: dict[str, Any] = json.loads(child.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="one reload per size")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--repeats", type=int, default=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(measure_child(args.child, args.repeats))))
        return
    print(machine())
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in (1000, 10_000):
            r = run_size(size, 1 if args.quick else 5, Path(tmp))
            results[size] = r
            print(f"{r['resources']:>6} resources ({r['bytes'] / 1e6:.1f} MB): bot start "
                  f"{r['start_s']:.2f} s; in one process, load+validate "
                  f"{r['load_s']:.2f} s ({r['load_gc_paused_s']:.2f} s with the GC paused; "
                  f"alone: YAML {r['yaml_s']:.2f}, pydantic {r['pydantic_s']:.2f}, checks "
                  f"{r['checks_s']:.2f}); reload median {r['reload_s']:.2f} s, max "
                  f"{r['reload_max_s']:.2f} s; longest loop stall {r['stall_max_s'] * 1000:.0f} "
                  f"ms (idle baseline {r['stall_idle_s'] * 1000:.1f} ms); first query after a "
                  f"reload {r['first_query_s'] * 1000:.1f} ms")
            print(f"        RSS: {r['rss_imports_mb']:.0f} MB with the bot's imports, "
                  f"{r['rss_loaded_mb']:.0f} MB loaded, {r['rss_after_reloads_mb']:.0f} MB after "
                  f"the reloads, peak (VmHWM) {r['hwm_mb']:.0f} MB, before the in-process parse")
    big = results[10_000]
    print(f"targets at 10,000: reload < 2 s: {big['reload_max_s']:.2f} s; no stall > 50 ms: "
          f"{big['stall_max_s'] * 1000:.0f} ms; RSS < 120 MB: {big['rss_after_reloads_mb']:.0f} MB "
          f"(peak {big['hwm_mb']:.0f} MB)")
    emit("reload", {str(size): r for size, r in results.items()})


if __name__ == "__main__":
    main()
