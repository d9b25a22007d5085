"""The child process that reads directory files for the bot: `python -m bot.loading.child`.

Whatever an admin's file does to a parser (a bug, a bomb, a crash) costs this process, under
memory and CPU limits set before a byte is read, never the bot; it opens the files itself, by
files.py's rules. In: one JSON line (the files, their folder, what the other files define).
Out, per file: a JSON line (its problems, or its text's digest), its validated entries as one
JSON line, and its search words, folded, as another.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import json
import os
import resource
import sys
from pathlib import Path
from typing import Any, BinaryIO

BASE_MEMORY = 768 * 2**20  # the interpreter, pydantic and phonenumbers, with room to work
MEMORY_PER_BYTE = 80  # room for twice the objects a parse makes of each byte of YAML


def limit(kind: int, value: int, *, final: bool = True) -> None:
    """Lower a limit; `final` lowers the hard limit too, so nothing raises it again."""
    _, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(kind, (value, value if final else hard))


def main(stdin: BinaryIO, stdout: BinaryIO) -> int:
    gc.disable()  # nothing here is cyclic, and the process is short-lived
    from bot.loading.files import SECONDS_PER_MB, TIMEOUT, size_of

    limit(resource.RLIMIT_CPU, int(TIMEOUT), final=False)  # until the input's size is known
    first = stdin.readline()
    if not first:
        return 0
    header: dict[str, Any] = json.loads(first)
    total = sum(size_of(Path(name)) for name in header["files"])
    # PENAH_PARSE_MEMORY_MB sets the address space outright.
    fixed = int(os.environ.get("PENAH_PARSE_MEMORY_MB", "0")) * 2**20
    limit(resource.RLIMIT_AS, fixed or BASE_MEMORY + MEMORY_PER_BYTE * total)
    limit(resource.RLIMIT_CPU, int(TIMEOUT + SECONDS_PER_MB * total / 2**20))
    answer(header, stdout)
    return 0


def answer(header: dict[str, Any], stdout: BinaryIO) -> None:
    """The job a header asks for, its answer written to `stdout` (in-process for tests)."""
    from bot.directory.model import DirectoryError, Problem
    from bot.loading.files import read_file
    from bot.loading.validation import place, validate_part
    from bot.loading.yamlfile import decode
    from bot.search.fold import piece_words

    folder = Path(header["folder"]) if header.get("folder") else None

    def write(value: Any) -> None:
        stdout.write(json.dumps(value, separators=(",", ":")).encode() + b"\n")

    def text_of(name: str) -> str:
        return decode(read_file(Path(name), folder), name)

    if header.get("locate") is not None:  # place problems found across files
        placed: list[Problem] = []
        for name, located in header["locate"].items():
            try:
                placed += place(text_of(name), name, [(tuple(p), False, m) for p, m in located])
            except DirectoryError as exc:
                placed += exc.problems
        write([dataclasses.asdict(p) for p in placed])
        return
    for name in header["files"]:
        try:
            text = text_of(name)
            model = validate_part(text, name, header.get("context"))
        except DirectoryError as exc:
            write({"file": name, "problems": [dataclasses.asdict(p) for p in exc.problems]})
            continue
        write({"file": name, "sha256": hashlib.sha256(text.encode()).hexdigest()})
        stdout.write(model.model_dump_json(exclude_defaults=True).encode() + b"\n")
        write(piece_words(model.resources, model.guides))


if __name__ == "__main__":
    code = main(sys.stdin.buffer, sys.stdout.buffer)
    sys.stdout.buffer.flush()
    # The answer is out: skip the interpreter's teardown of a large heap, which would only
    # delay the end of the output the bot waits for.
    os._exit(code)
