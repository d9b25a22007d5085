"""Typed search: time per query, index build time and index memory, with the shipped directory,
the design size (2,000 resources) and 10,000 synthetic resources.

The synthetic directory is the seed's resources cloned under new ids, each clone's name given
an invented word of its own (so the vocabulary and the typo index grow as a real directory's
would, not only by numbers); summaries are the seed's. The queries are a table in every
language, with typos, missing hamza, inflected Kurdish and Turkish words, danger words, and
text that is refused (a phone number, a long message); each is run for every place and no place.
The index is built whole for every directory the bot loads, from the words each file's reader
child folded: the build is timed so (the words given), and the fold apart. The baseline for
both is the directory's own validation in the same run (pydantic over the already-read data,
and for the synthetic ones also the YAML parse of the whole).

python -m benchmarks.search [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import time
import tracemalloc
from typing import Any

import yaml

from benchmarks.common import emit, machine, memory_kb, percentile
from benchmarks.reload import synthetic, ticking
from bot.directory.model import DirectoryFile
from bot.directory.queries import Directory, Piece
from bot.loading.validation import parse_directory
from bot.search.danger import shipped_danger_words
from bot.search.fold import piece_words
from bot.search.index import Index
from tests.botprocess import ROOT

QUERIES = [
    "lawyer", "I need a lawyer", "lawer", "lawyers", "legal aid", "asylum", "asylym",
    "refugee registration", "my account was hacked", "telegram passcode", "gay", "help",
    "ambulance", "blackmail photos", "family tracing red cross", "hello", "xyzzy qwerty",
    "محامي", "محامى", "بدي محامي", "المحكمة", "لاجئ", "لاجىء", "اعادة التوطين", "خطر",
    "ساعدوووني", "ابتزاز الكتروني", "مثلي", "عنف اسري", "طبيب نفسي",
    "پارێزەر", "پاریزەر", "پارێزەرێک", "هاوکاری یاسایی", "پەنابەر", "توندوتیژی", "فریام کەون",
    "parêzer", "parezer", "alîkariya hiqûqî", "penaber", "tundî", "xwekuştin",
    "avukat", "avukata", "mülteci", "multeci", "şiddet", "imdat", "hesabım çalındı",
    "دەستگیرکرن", "پەناخواز",
    "+964 750 123 4567", "x" * 300,
]
PLACES: list[str | None] = ["iq-fed", "iq-kr", "sy", "tr", "lb", "jo", None]

SYLLABLES = ["ka", "ro", "zan", "mi", "ler", "di", "van", "sha", "ne", "bar", "to", "hel",
             "rud", "am", "si", "gol", "pe", "nar", "ju", "des", "kor", "ba", "lin", "om"]


def invented(i: int) -> str:
    n, parts = i, []
    for _ in range(3):
        n, r = divmod(n, len(SYLLABLES))
        parts.append(SYLLABLES[r])
    return "".join(parts).capitalize()


def synthetic_with_names(size: int) -> dict[str, Any]:
    data = synthetic(size)
    seed = len(yaml.safe_load((ROOT / "resources.yaml").read_text(encoding="utf-8"))["resources"])
    for i, resource in enumerate(data["resources"][seed:]):
        resource["name"] = {lang: f"{text} {invented(i)}" for lang, text in
                            resource["name"].items()}
    return data


def time_queries(index: Index, rounds: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds of each query: on a shared, loaded machine the wall clock
    also counts the time other processes held the CPU; this thread's CPU time does not."""
    wall, cpu = [], []
    danger_words = shipped_danger_words()  # heard first in every message, as the bot does
    for _ in range(rounds):
        for query in QUERIES:
            for place in PLACES:
                start, start_cpu = time.perf_counter(), time.thread_time()
                index.search(query, place, danger_words)
                cpu.append(time.thread_time() - start_cpu)
                wall.append(time.perf_counter() - start)
    return wall, cpu


def build_times(directory: Directory, runs: int) -> tuple[list[float], list[float]]:
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.thread_time()
        Index(directory)
        cpu.append(time.thread_time() - start_cpu)
        wall.append(time.perf_counter() - start)
    return wall, cpu


def index_bytes(directory: Directory) -> int:
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    index = Index(directory)
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del index
    return after - before


def measure(name: str, data: dict[str, Any], rounds: int, runs: int,
            yaml_text: str | None = None) -> None:
    start = time.thread_time()
    model = DirectoryFile.model_validate(data)
    validate = time.thread_time() - start
    parse = None
    if yaml_text is not None:
        start = time.thread_time()
        parse_directory(yaml_text)
        parse = time.thread_time() - start
    start = time.thread_time()
    words = piece_words(model.resources, model.guides)  # as the reader child does, per file
    fold = time.thread_time() - start
    directory = Directory(model, pieces=(Piece(model.resources, model.guides, words),))
    gc.collect()
    rss_before = memory_kb("VmRSS")
    first = time.perf_counter()
    index = Index(directory)
    first = time.perf_counter() - first
    gc.collect()
    rss_after = memory_kb("VmRSS")
    builds, builds_cpu = build_times(directory, runs)
    # As the reloader builds it: in a worker thread, beside the event loop (a 1 ms ticker).
    _, idle = asyncio.run(ticking(None, 0.5))
    _, stall = asyncio.run(ticking(asyncio.to_thread(Index, directory)))
    traced = index_bytes(directory)
    times, cpu = time_queries(index, rounds)
    figures = {
        "resources": len(directory.data.resources),
        "guides": len(directory.data.guides),
        "words": len({*index.strong, *index.text, *index.topics.known}),
        "typo keys": len(index.typos),
        "queries": len(times),
        "query p50 ms": round(percentile(times, 50) * 1000, 3),
        "query p99 ms": round(percentile(times, 99) * 1000, 3),
        "query max ms": round(max(times) * 1000, 3),
        "query CPU p50 ms": round(percentile(cpu, 50) * 1000, 3),
        "query CPU p99 ms": round(percentile(cpu, 99) * 1000, 3),
        "query CPU max ms": round(max(cpu) * 1000, 3),
        "build first s": round(first, 3),
        "build median s": round(statistics.median(builds), 3),
        "build CPU median s": round(statistics.median(builds_cpu), 3),
        "fold CPU s": round(fold, 3),
        "validation CPU s (baseline)": round(validate, 3),
        "build / validation (CPU)": round(statistics.median(builds_cpu) / validate, 2),
        "loop gap during a threaded build ms": round(stall * 1000, 1),
        "loop gap idle ms": round(idle * 1000, 1),
        "index MB (traced)": round(traced / 1e6, 1),
        "RSS added MB": round((rss_after - rss_before) / 1024, 1),
    }
    if parse is not None:
        figures["YAML parse CPU s (baseline)"] = round(parse, 2)
        figures["build / YAML parse (CPU)"] = round(statistics.median(builds_cpu) / parse, 2)
    emit(name, figures)
    print(f"{name}: " + ", ".join(f"{k} {v}" for k, v in figures.items()), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer rounds, 500 and 2,000")
    args = parser.parse_args()
    print(machine(), flush=True)
    print("CPU figures are this thread's CPU time: robust when the machine is shared.")
    shipped = yaml.safe_load((ROOT / "resources.yaml").read_text(encoding="utf-8"))
    measure("search-shipped", shipped, rounds=3 if args.quick else 20, runs=3 if args.quick else 9)
    for size in (500, 2_000) if args.quick else (2_000, 10_000):
        data = synthetic_with_names(size)
        text = yaml.dump(data, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False,
                         width=200)
        measure(f"search-{size}", data, rounds=2 if args.quick else 10 if size < 10_000 else 5,
                runs=1 if args.quick else 3, yaml_text=text)


if __name__ == "__main__":
    main()
