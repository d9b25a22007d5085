"""How long `penah check --online` takes for as many links as the shipped directory has.

The real sites cannot be reached from CI, so a local HTTPS server stands in for them, each
answer delayed as a distant site's would be (--delay, default 0.3 s). The same run times one
request at a time as the baseline, so the figure to read is the ratio. A delay above the
per-request timeout (8 s) gives the worst case: every site too slow.

    python -m benchmarks.linkcheck [--delay 0.3] [--links N] [--no-baseline]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from pathlib import Path

from benchmarks.common import emit, machine
from bot.loading.reloader import load_directory
from bot.ops import linkcheck
from tests.linkserver import Handler, https_server

ROOT = Path(__file__).parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--delay", type=float, default=0.3)
    parser.add_argument("--links", type=int, default=0, help="default: the shipped directory's")
    parser.add_argument("--no-baseline", action="store_true", help="skip one-at-a-time")
    args = parser.parse_args()
    print(machine())
    shipped = linkcheck.links_of(load_directory(ROOT / "resources.yaml"))
    distinct = len({link.url for link in shipped})
    count = args.links or distinct  # each address is fetched once
    print(f"shipped directory: {len(shipped)} links, {distinct} distinct addresses")

    original = Handler.do_GET

    def slow(self: Handler) -> None:
        time.sleep(args.delay)
        original(self)

    Handler.do_GET = slow  # type: ignore[method-assign]
    with https_server() as (base, cert):
        os.environ["SSL_CERT_FILE"] = str(cert)
        urls = [f"{base}/live/{n}" for n in range(count)]
        figures: dict[str, float] = {}
        for concurrency in ((), (1,))[not args.no_baseline] + (linkcheck.CONCURRENCY,):
            started = time.perf_counter()
            outcomes = asyncio.run(
                linkcheck.check_urls(urls, concurrency=concurrency, allow_private=True))
            took = time.perf_counter() - started
            ok = sum(not o.dead for o in outcomes.values())
            figures[f"concurrency_{concurrency}_s"] = round(took, 2)
            print(
                f"{count} addresses, {args.delay:g} s each, concurrency {concurrency}: "
                f"{took:.2f} s ({ok} answered in time)"
            )
    emit("linkcheck", {"addresses": count, "delay_s": args.delay, **figures})


if __name__ == "__main__":
    main()
