"""Validates a directory in a child process: `python -m bot.parse NAME < resources.yaml`.

Parsing YAML builds millions of short-lived objects (nodes, marks) for a large directory:
in the bot's own process they would hold the interpreter lock for seconds and leave hundreds
of megabytes that Python never returns. Here they die with the child. It writes one JSON
line, `{"problems": [...]}` or `{"ok": true}`, then on success the validated directory as
JSON, which the bot reads back with pydantic's JSON parser.
"""

from __future__ import annotations

import dataclasses
import gc
import json
import sys

from .directory import DirectoryError, parse_directory


def main(argv: list[str]) -> int:
    name = argv[0] if argv else "resources.yaml"
    gc.disable()  # nothing here is cyclic, and the process is short-lived
    text = sys.stdin.buffer.read().decode("utf-8")
    try:
        directory = parse_directory(text, name)
    except DirectoryError as exc:
        problems = [dataclasses.asdict(p) for p in exc.problems]
        sys.stdout.write(json.dumps({"problems": problems}, ensure_ascii=False) + "\n")
        return 0
    sys.stdout.write('{"ok": true}\n')
    sys.stdout.write(directory.data.model_dump_json())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
