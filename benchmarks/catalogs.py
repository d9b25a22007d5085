"""Loading a translator's catalog of 10,000, 20,000 and 40,000 entries: Penah's loader against
the .mo round trip it replaced (Babel's write_mo, then gettext's reader), in the same run.

write_mo joins its string tables with `bytes +=`, which copies the whole table each time, so
its time grows with the square of the entries; Penah builds gettext's table straight from the
parsed messages. Both parse the same .po file with Babel's read_po, which is included.

python -m benchmarks.catalogs [--quick]
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from benchmarks.common import emit, machine
from bot.i18n.translator import load_catalogs

HEADER = (
    'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Language: ar\\n"\n'
    '"Plural-Forms: nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : '
    'n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);\\n"\n\n'
)


def write_catalog(root: Path, entries: int) -> Path:
    po = root / "ar" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    body = "".join(
        f'msgid "Message number {i} for {{place}}"\nmsgstr "الرسالة رقم {i} من أجل {{place}}"\n\n'
        for i in range(entries)
    )
    po.write_text(HEADER + body, encoding="utf-8")
    return po


def old_loader(po: Path) -> Translations:
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=Locale.parse("ar"))
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer, domain="messages")


def best_of(runs: int, action: object) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="smaller catalogs, one run each")
    args = parser.parse_args()
    sizes = (2_500, 5_000, 10_000) if args.quick else (10_000, 20_000, 40_000)
    runs = 1 if args.quick else 3
    results = {}
    print(machine())
    print(f"{'entries':>8} {'.mo round trip':>15} {'Penah':>8} {'ratio':>6}")
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            po = write_catalog(root, size)
            catalogs = load_catalogs(root)
            assert catalogs.get("ar").gettext("Message number 7 for {place}").startswith("الرسالة")
            old = best_of(runs, lambda po=po: old_loader(po))
            new = best_of(runs, lambda root=root: load_catalogs(root))
        results[size] = {"mo_round_trip_s": round(old, 3), "penah_s": round(new, 3)}
        print(f"{size:>8} {old:>14.2f}s {new:>7.2f}s {old / new:>5.1f}x")
    first, last = sizes[0], sizes[-1]
    growth = {
        name: results[last][key] / results[first][key]
        for name, key in (("mo_round_trip", "mo_round_trip_s"), ("penah", "penah_s"))
    }
    print(f"time x{last // first} entries: .mo round trip x{growth['mo_round_trip']:.1f}, "
          f"Penah x{growth['penah']:.1f} (linear is x{last // first})")
    emit("catalogs", {"sizes": results, "growth": growth})


if __name__ == "__main__":
    main()
