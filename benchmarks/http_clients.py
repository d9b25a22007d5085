"""aiohttp against httpx as Penah's Bot API client, measured in one run: CPU per update of the
real `penah run` on each (PENAH_HTTP_CLIENT), with the bare python-telegram-bot bot (PTB's
defaults: httpx, AIORateLimiter) as the baseline, same update mix, runs in A-B-C-C-B-A blocks.

python -m benchmarks.http_clients [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.common import emit, machine
from benchmarks.cpu_per_update import UPDATES_PER_USER, measure

KINDS = ("penah", "penah-httpx", "bare")
NAMES = {"penah": "Penah on aiohttp", "penah-httpx": "Penah on httpx", "bare": "bare PTB"}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a short run (fewer people)")
    args = parser.parse_args()
    users, idle, blocks = (40, 2.0, 1) if args.quick else (200, 4.0, 2)
    print(machine())
    print(f"{users} people x {UPDATES_PER_USER} updates per run, {blocks} A-B-C-C-B-A block(s)")
    order = (*KINDS, *reversed(KINDS)) * blocks
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, kind in enumerate(order):
            r = await measure(kind, users, 50, idle, Path(tmp) / f"run{i}")
            runs.append(r)
            print(f"  {NAMES[kind]:17} CPU {r['cpu_s']:.2f} s for {r['updates']} updates, "
                  f"{r['cpu_per_update_ms']:.3f} ms/update ({r['finished']}/{users} finished, "
                  f"exit {r['exit']})")
    per = {k: statistics.mean(r["cpu_per_update_ms"] for r in runs if r["bot"] == k)
           for k in KINDS}
    for kind in KINDS:
        print(f"{NAMES[kind]:17} {per[kind]:.3f} ms/update = {per[kind] / per['bare']:.2f}x "
              f"the bare bot")
    print(f"aiohttp / httpx within Penah: {per['penah'] / per['penah-httpx']:.2f}x")
    emit("http_clients", {"runs": runs, "per_update_ms": per,
                          "aiohttp_vs_bare": round(per["penah"] / per["bare"], 3),
                          "httpx_vs_bare": round(per["penah-httpx"] / per["bare"], 3),
                          "aiohttp_vs_httpx": round(per["penah"] / per["penah-httpx"], 3)})


if __name__ == "__main__":
    asyncio.run(main())
