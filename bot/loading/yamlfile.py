"""Reading a directory file as YAML: within bot.safeyaml's limits, duplicate keys noted, and
every fault named by file, line and column."""

from __future__ import annotations

import re
import reprlib
from typing import Any

import yaml

from bot.directory.model import DirectoryError, Path_, Problem
from bot.safeyaml import LimitError, SafeLoader, check_limits

QUOTE_CHARS = 80

_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxlist, _REPR.maxdict, _REPR.maxstring, _REPR.maxother = 2, 4, 4, 60, 60
_LONG_QUOTE = re.compile(f"'[^']{{{QUOTE_CHARS},}}'|\"[^\"]{{{QUOTE_CHARS},}}\"")


def quote(value: object) -> str:
    """`value` as a short repr: user input quoted in a message is never longer than this."""
    if isinstance(value, str):
        return repr(value if len(value) <= QUOTE_CHARS else value[: QUOTE_CHARS - 1] + "…")
    return clip(_REPR.repr(value))


def clip(message: str, limit: int = 3 * QUOTE_CHARS) -> str:
    """For messages built by code that quotes input in full: each quote cut, then the whole."""
    message = _LONG_QUOTE.sub(lambda m: m[0][: QUOTE_CHARS - 1] + "…" + m[0][0], message)
    return message if len(message) <= limit else message[: limit - 1] + "…"


class Loader(SafeLoader):  # type: ignore[misc]
    """The safe loader (libyaml when present) that also notes duplicate keys."""

    duplicates: list[tuple[yaml.Mark, str]]

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.value in seen:
                self.duplicates.append((key_node.start_mark, str(key_node.value)))
            seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]


def _timestamp(loader: Loader, node: yaml.ScalarNode) -> object:
    """A date that cannot be (2026-02-30) stays text, for validation to name file, line, field."""
    try:
        return SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def _at(filename: str, mark: yaml.Mark | None, message: str) -> Problem:
    line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
    return Problem(filename, line, col, "", message)


def _unreadable(exc: yaml.YAMLError, filename: str) -> DirectoryError:
    if isinstance(exc, LimitError):
        found = _at(filename, exc.problem_mark, exc.problem or "")
    elif isinstance(exc, yaml.MarkedYAMLError):
        reason = " ".join(filter(None, [exc.context, exc.problem]))
        found = _at(filename, exc.problem_mark or exc.context_mark, f"YAML syntax error: {reason}")
    else:
        found = Problem(filename, 0, 0, "", clip(f"YAML error: {exc}"))
    return DirectoryError([found])


def scan(text: str, filename: str) -> None:
    """DirectoryError if nesting or aliases go too far, or the YAML cannot be read at all."""
    try:
        check_limits(text)
    except yaml.YAMLError as exc:
        raise _unreadable(exc, filename) from None


def parse_yaml(text: str, filename: str) -> tuple[dict[Any, Any], list[Problem]]:
    """(the file's mapping, duplicate-key problems); DirectoryError when it cannot be read
    safely, or is not a mapping."""
    scan(text, filename)
    loader = Loader(text)
    loader.duplicates = []
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as exc:
        raise _unreadable(exc, filename) from None
    finally:
        loader.dispose()
    if data is None:
        raise DirectoryError([Problem(filename, 0, 0, "", "the file is empty")])
    if not isinstance(data, dict):
        raise DirectoryError([Problem(filename, 1, 1, "", "the file must be a mapping of keys")])
    return data, [_at(filename, mark, f"duplicate key {quote(key)}")
                  for mark, key in loader.duplicates]


def node_at(root: yaml.Node, path: Path_, key: bool = False) -> yaml.Node:
    """The node of a field path (with `key`, its key's node), else the deepest that exists."""
    node = root
    for i, part in enumerate(path):
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if k.value == part), None)
            if pair is None:
                break
            node = pair[0] if key and i == len(path) - 1 else pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and (
            0 <= part < len(node.value)
        ):
            node = node.value[part]
        else:
            break
    return node


def decode(raw: bytes, name: str) -> str:
    """UTF-8 text, naming the line and column of a byte that is not."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line, column = before.count(b"\n") + 1, exc.start - before.rfind(b"\n")
        raise DirectoryError(
            [Problem(name, line, column, "", "not UTF-8 text: save the file as UTF-8")]
        ) from None
