"""The child process that reads directory files for the bot: `python -m bot.loading.child`.

Everything an admin's file can do to a parser happens here, under memory and CPU limits set
before any input is read: a parser bug, a bomb or a crash costs this process, never the bot.
Parsing also builds millions of short-lived objects for a large directory, whose garbage dies
with the child. The input is one JSON line (files, sizes, context) and then the files' bytes;
the output is, per file, a JSON line (its problems, or what it holds), then one JSON line per
region, category and guide, which the bot turns back into a model without validating again,
the resources as light rows and compressed blocks (bot/stored.py), and the file's words for
typed search (when asked for), a thousand words a line.
"""

from __future__ import annotations

import dataclasses
import gc
import json
import os
import resource
import sys
from typing import Any, BinaryIO

CPU_SECONDS = 60  # and as many again per 10 MB read, as the bot's deadline allows
CPU_SECONDS_PER_MB = 6
BASE_MEMORY = 768 * 2**20  # the interpreter, pydantic and phonenumbers, with room to work
MEMORY_PER_BYTE = 80  # a parse holds about 40 bytes of objects per byte of YAML


def limit(kind: int, value: int, *, final: bool = True) -> None:
    """Lower a limit; `final` lowers the hard limit too, so nothing raises it again."""
    _, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(kind, (value, value if final else hard))


def memory_for(size: int) -> int:
    """Address space for reading `size` bytes; PENAH_PARSE_MEMORY_MB sets it outright."""
    fixed = int(os.environ.get("PENAH_PARSE_MEMORY_MB", "0")) * 2**20
    return fixed or BASE_MEMORY + MEMORY_PER_BYTE * size


def main(stdin: BinaryIO, stdout: BinaryIO) -> int:
    limit(resource.RLIMIT_CPU, CPU_SECONDS, final=False)  # until the input's size is known
    gc.disable()  # nothing here is cyclic, and the process is short-lived
    from bot.directory.model import DirectoryError, Problem
    from bot.loading.stored import pack
    from bot.loading.validation import KINDS, Context, place, validate_part
    from bot.loading.yamlfile import decode
    from bot.search.build import piece_words, word_chunks

    first = stdin.readline()
    if not first:
        return 0  # a spare child the bot no longer needs
    header: dict[str, Any] = json.loads(first)
    files: list[tuple[str, int]] = [(n, s) for n, s in header["files"]]
    total = sum(size for _, size in files)
    limit(resource.RLIMIT_AS, memory_for(total))
    limit(resource.RLIMIT_CPU, CPU_SECONDS + CPU_SECONDS_PER_MB * (total >> 20))
    raw = {name: stdin.read(size) for name, size in files}

    def write(value: Any) -> None:
        stdout.write(json.dumps(value, ensure_ascii=False, separators=(",", ":"),
                                default=str).encode() + b"\n")

    def problems(found: list[Problem]) -> list[dict[str, Any]]:
        return [dataclasses.asdict(p) for p in found]

    if header.get("locate") is not None:  # place problems found across files
        placed: list[Problem] = []
        for name, located in header["locate"].items():
            wanted = [(tuple(path), False, message) for path, message in located]
            try:
                placed += place(decode(raw[name], name), name, wanted)
            except DirectoryError as exc:
                placed += exc.problems
        write(problems(placed))
        return 0

    context = None
    if header.get("context") is not None:
        given = header["context"]
        context = Context(given["countries"], {k: set(v) for k, v in given["ids"].items()})
    for name, _ in files:
        try:
            part = validate_part(decode(raw.pop(name), name), name, context)
        except DirectoryError as exc:
            write({"file": name, "problems": problems(exc.problems)})
            continue
        model = part.model
        light, blocks = pack(model.resources)
        # The words typed search will look for, folded here rather than in the bot when a
        # whole directory is read (a reload of one file folds its few words after the swap).
        words = list(word_chunks(piece_words(model.resources, model.guides))
                     if header.get("words") else ())
        write({
            "file": name, "version": model.version, "languages": model.languages,
            "counts": {kind: len(getattr(model, kind)) for kind in KINDS},
            "deferred": [[list(path), contact, where] for path, contact, where in part.deferred],
            "blocks": [len(block) for block in blocks], "words": len(words),
        })
        for kind in KINDS:
            if kind != "resources":  # those come as light rows and blocks
                for entry in getattr(model, kind):
                    stdout.write(entry.model_dump_json().encode() + b"\n")
        write(light)
        for block in blocks:
            stdout.write(block)
        for chunk in words:
            write(chunk)
    return 0


if __name__ == "__main__":
    code = main(sys.stdin.buffer, sys.stdout.buffer)
    sys.stdout.buffer.flush()
    # The answer is out: skip the interpreter's teardown of a large heap (~150 ms), which
    # would only delay the end of the output the bot waits for.
    os._exit(code)
