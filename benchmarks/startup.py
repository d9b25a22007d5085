"""Time from process start to the first getUpdates (the moment a bot can serve), for the real
`penah run` with the shipped directory and, as the baseline, the bare python-telegram-bot bot.

The stand-in Bot API on 127.0.0.1 stamps each call, so the time to the first call (getMe:
imports and set-up done) and to the first getUpdates are both read off the server. Runs
alternate between the two bots so the machine's drift falls on both.

python -m benchmarks.startup [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.common import bot_command, emit, machine
from tests.botprocess import ROOT, BotProcess
from tests.fakeapi import FakeBotAPI

SEED = ROOT / "resources.yaml"


async def once(kind: str, workdir: Path) -> dict[str, float]:
    async with FakeBotAPI() as api:
        env, args = bot_command(kind, api, workdir)
        async with BotProcess(api, env, workdir, args) as bot:
            ready = await bot.ready()
            first = api.calls[0].at - bot.started
            code, stop_s = await bot.stop()
            assert code == 0, bot.stderr()
    return {"first_call_s": first, "first_get_updates_s": ready, "stop_s": stop_s}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="2 runs per bot instead of 7")
    args = parser.parse_args()
    runs = 2 if args.quick else 7
    print(machine())
    results: dict[str, list[dict[str, float]]] = {"penah": [], "bare": []}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(runs):
            for kind in ("penah", "bare") if i % 2 == 0 else ("bare", "penah"):
                results[kind].append(await once(kind, Path(tmp) / f"{kind}{i}"))
    summary: dict[str, Any] = {}
    for kind, rows in results.items():
        ready = [r["first_get_updates_s"] for r in rows]
        summary[kind] = {
            "median_s": round(statistics.median(ready), 3), "min_s": round(min(ready), 3),
            "max_s": round(max(ready), 3),
            "first_call_median_s": round(statistics.median(r["first_call_s"] for r in rows), 3),
            "stop_median_s": round(statistics.median(r["stop_s"] for r in rows), 3),
        }
        s = summary[kind]
        print(f"{kind:5} start to first getUpdates: median {s['median_s']:.2f} s (min "
              f"{s['min_s']:.2f}, max {s['max_s']:.2f}, {runs} runs); first API call at "
              f"{s['first_call_median_s']:.2f} s; SIGTERM to exit {s['stop_median_s']:.2f} s")
    ratio = summary["penah"]["median_s"] / summary["bare"]["median_s"]
    print(f"Penah / bare: {ratio:.2f}x")
    emit("startup", {**summary, "ratio": round(ratio, 3), "runs": runs})


if __name__ == "__main__":
    asyncio.run(main())
