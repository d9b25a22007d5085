"""CPU time per update: the real `penah run` against a bare python-telegram-bot 22 bot.

Both run as child processes against the same stand-in Bot API on 127.0.0.1 and get the same
update mix (/start, then English, a category and a card, per simulated person). A bot's CPU
time (user + system, all threads, from /proc) over the load, less its idle cost over the same
wall time, divided by the updates, is what an update costs it. Runs alternate in A-B-B-A
blocks so the machine's drift falls on both; the spread of the blocks' ratios shows the noise.
Then, in-process, p50/p99 of each bot's own handling time per update, with the rate limits
lifted so no wait is counted.

python -m benchmarks.cpu_per_update [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import bare_bot
from benchmarks.common import (
    JOURNEY,
    InProcess,
    bot_command,
    emit,
    machine,
    percentile,
    start_and_press,
)
from bot.config import Settings, shipped_locales
from bot.i18n.translator import load_catalogs
from bot.loading.reloader import Reloader
from bot.telegram.app import PenahBot
from tests.botprocess import ROOT, TOKEN, BotProcess
from tests.fakeapi import FakeBotAPI, Limits
from tests.fakes import FakeTelegram, user

SEED = ROOT / "resources.yaml"
UPDATES_PER_USER = 1 + len(JOURNEY)


async def run_users(api: FakeBotAPI, first_id: int, count: int, concurrency: int) -> int:
    """`count` people, at most `concurrency` at once; how many finished."""
    gate = asyncio.Semaphore(concurrency)

    async def one(user_id: int) -> bool:
        async with gate:
            journey = await start_and_press(api, user(user_id), JOURNEY, within=60)
            return journey.done

    done = await asyncio.gather(*(one(first_id + i) for i in range(count)))
    return sum(done)


async def measure(kind: str, users: int, concurrency: int, idle: float, workdir: Path,
                  ) -> dict[str, Any]:
    # Telegram's limits are lifted here: this measures CPU, and the bare bot's AIORateLimiter
    # lets more than 30 messages into a second (the API's 429 then fails the update at its
    # default of no retries), so with the limits on the two bots would not do the same work.
    async with FakeBotAPI(limits=Limits(enabled=False)) as api:
        env, args = bot_command(kind, api, workdir)
        async with BotProcess(api, env, workdir, args) as bot:
            await bot.ready()
            await run_users(api, 1, 10, 10)  # warm-up: lazy imports, caches, connections
            await asyncio.sleep(1.5)  # let the per-chat and global buckets refill
            cpu0, wall0 = bot.cpu(), time.monotonic()
            await asyncio.sleep(idle)
            idle_rate = (bot.cpu() - cpu0) / (time.monotonic() - wall0)
            cpu0, wall0 = bot.cpu(), time.monotonic()
            finished = await run_users(api, 100_000, users, concurrency)
            cpu, wall = bot.cpu() - cpu0, time.monotonic() - wall0
            code, _ = await bot.stop()
    updates = users * UPDATES_PER_USER
    net = cpu - idle_rate * wall
    return {"bot": kind, "updates": updates, "finished": finished, "wall_s": round(wall, 2),
            "cpu_s": round(cpu, 3), "idle_cpu_per_s": round(idle_rate, 5),
            "cpu_per_update_ms": round(net / updates * 1000, 3), "exit": code}


# ---------------------------------------------------------------------- in-process handling
async def penah_in_process(workdir: Path) -> InProcess:
    settings = Settings(token=TOKEN, resources=SEED, data_dir=workdir / "data",
                        locales=shipped_locales(), messages_per_second=1e6,
                        chat_messages_per_second=1e6, reload_interval=3600.0)
    fake = FakeTelegram()
    bot = PenahBot(settings, Reloader.start_with(SEED, interval=3600.0),
                   load_catalogs(settings.locales))
    app = bot.build(request=fake)
    await app.initialize()
    assert app.post_init is not None
    await app.post_init(app)
    return InProcess(app, fake)


async def bare_in_process() -> InProcess:
    fake = FakeTelegram()
    app = bare_bot.build(TOKEN, "http://127.0.0.1:9/bot", fake, limited=False)
    await app.initialize()
    return InProcess(app, fake)


async def close_in_process(driver: InProcess) -> None:
    app = driver.app
    if app.post_stop is not None:
        await app.post_stop(app)
    await app.shutdown()
    if app.post_shutdown is not None:
        await app.post_shutdown(app)


async def handling(users: int, workdir: Path) -> dict[str, dict[str, float]]:
    """p50/p99 wall and mean CPU per update, each bot in-process, alternating batches."""
    drivers = {"bare": await bare_in_process(), "penah": await penah_in_process(workdir)}
    timings: dict[str, list[tuple[float, float]]] = {k: [] for k in drivers}
    for driver in drivers.values():  # warm-up
        await driver.journeys([user(i) for i in range(1, 11)])
    batch = 25
    for start in range(0, users, batch):
        people = [user(1000 + i) for i in range(start, min(users, start + batch))]
        for kind, driver in drivers.items():
            timings[kind] += await driver.journeys(people)
    for driver in drivers.values():
        await close_in_process(driver)
    out = {}
    for kind, pairs in timings.items():
        walls = [w * 1000 for w, _ in pairs]
        out[kind] = {"updates": len(pairs), "p50_ms": round(percentile(walls, 50), 3),
                     "p99_ms": round(percentile(walls, 99), 3),
                     "max_ms": round(max(walls), 3),
                     "cpu_per_update_ms": round(sum(c for _, c in pairs) / len(pairs) * 1000, 3)}
    return out


def block_ratio(block: list[dict[str, Any]]) -> float:
    def mean(kind: str) -> float:
        return statistics.mean(float(r["cpu_per_update_ms"]) for r in block if r["bot"] == kind)

    return mean("penah") / mean("bare")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a short run (fewer people)")
    args = parser.parse_args()
    users, idle, blocks, local = (40, 3.0, 1, 100) if args.quick else (200, 5.0, 2, 1000)
    print(machine())
    print(f"{users} people x {UPDATES_PER_USER} updates per bot per run, {blocks} A-B-B-A "
          f"block(s); idle measured {idle:.0f} s per run")
    runs: list[dict[str, Any]] = []
    order = ("bare", "penah", "penah", "bare") * blocks
    with tempfile.TemporaryDirectory() as tmp:
        for i, kind in enumerate(order):
            result = await measure(kind, users, 50, idle, Path(tmp) / f"run{i}")
            runs.append(result)
            print(f"  {kind:5}  {result['updates']} updates in {result['wall_s']:.1f} s, "
                  f"CPU {result['cpu_s']:.2f} s, idle {result['idle_cpu_per_s'] * 100:.2f} %, "
                  f"{result['cpu_per_update_ms']:.3f} ms/update "
                  f"({result['finished']}/{users} finished, exit {result['exit']})")
        per = {k: statistics.mean(r["cpu_per_update_ms"] for r in runs if r["bot"] == k)
               for k in ("bare", "penah")}
        ratio = per["penah"] / per["bare"]
        spread = [block_ratio(runs[i : i + 4]) for i in range(0, len(runs), 4)]
        print(f"CPU per update: Penah {per['penah']:.3f} ms, bare PTB {per['bare']:.3f} ms, "
              f"ratio {ratio:.2f}x (blocks: {', '.join(f'{r:.2f}' for r in spread)}; "
              f"target <= 0.8x)")
        local_figures = await handling(local, Path(tmp) / "local")
    for kind, f in local_figures.items():
        print(f"  in-process {kind:5} {f['updates']} updates: handling p50 {f['p50_ms']:.2f} ms, "
              f"p99 {f['p99_ms']:.2f} ms, max {f['max_ms']:.1f} ms; "
              f"CPU {f['cpu_per_update_ms']:.3f} ms/update")
    local_ratio = local_figures["penah"]["cpu_per_update_ms"] / \
        local_figures["bare"]["cpu_per_update_ms"]
    print(f"Penah own handling p99 {local_figures['penah']['p99_ms']:.2f} ms (target < 10 ms); "
          f"in-process CPU ratio {local_ratio:.2f}x")
    emit("cpu_per_update", {"runs": runs, "per_update_ms": per, "ratio": round(ratio, 3),
                            "block_ratios": [round(r, 3) for r in spread],
                            "in_process": local_figures, "in_process_ratio": round(local_ratio, 3)})


if __name__ == "__main__":
    asyncio.run(main())
