"""Reading a directory file as YAML, safely: limits first, then the safe loader.

libyaml's composer recurses once per nesting level (25,000 brackets crash the process) and
aliases let 4 KB stand for billions of nodes, so one pass over the parser's events, which keeps
its own stack and builds nothing, refuses deep nesting and alias bombs before anything is
composed.
"""

from __future__ import annotations

import re
import reprlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from bot.directory.model import DirectoryError, Path_, Problem

MAX_DEPTH = 64  # a directory needs about 6
MAX_ALIASES = 100
MAX_ALIAS_NODES = 10_000  # nodes that aliases may add beyond those written out
QUOTE_CHARS = 80

_BASE: type[Any] = yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader

_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxlist, _REPR.maxdict, _REPR.maxstring, _REPR.maxother = 2, 4, 4, 60, 60


def quote(value: object) -> str:
    """`value` as a short repr: user input quoted in a message is never longer than this."""
    if isinstance(value, str):
        shown = value if len(value) <= QUOTE_CHARS else value[: QUOTE_CHARS - 1] + "…"
        return repr(shown)
    return clip(_REPR.repr(value))


_LONG_QUOTE = re.compile(f"'[^']{{{QUOTE_CHARS},}}'|\"[^\"]{{{QUOTE_CHARS},}}\"")


def clip(message: str, limit: int = 3 * QUOTE_CHARS) -> str:
    """For messages built by code that quotes input in full: each quote cut, then the whole."""
    message = _LONG_QUOTE.sub(lambda m: m[0][: QUOTE_CHARS - 1] + "…" + m[0][0], message)
    return message if len(message) <= limit else message[: limit - 1] + "…"


class Loader(_BASE):  # type: ignore[misc]
    """The safe loader (libyaml when present) that also notes duplicate keys."""

    duplicates: list[tuple[yaml.Mark, str]]

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = key_node.value
            if key in seen:
                self.duplicates.append((key_node.start_mark, str(key)))
            seen.add(key)
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]


def _at(filename: str, mark: yaml.Mark | None, message: str) -> Problem:
    line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
    return Problem(filename, line, col, "", message)


def _within_alias_limits(aliases: int, extra: int, filename: str, mark: yaml.Mark) -> None:
    """A few aliases are a convenience; many, or ones standing for a great many values, are
    a bomb: refused at the alias that crosses the line."""
    if aliases > MAX_ALIASES or extra > MAX_ALIAS_NODES:
        what = (f"more than {MAX_ALIASES} aliases" if aliases > MAX_ALIASES else
                f"aliases that stand for more than {MAX_ALIAS_NODES} values")
        raise DirectoryError([_at(filename, mark, f"{what}: write the entries out instead")])


def _syntax_problem(exc: yaml.YAMLError, filename: str) -> Problem:
    if isinstance(exc, yaml.MarkedYAMLError):
        reason = " ".join(filter(None, [exc.context, exc.problem]))
        return _at(filename, exc.problem_mark or exc.context_mark, f"YAML syntax error: {reason}")
    return Problem(filename, 0, 0, "", clip(f"YAML error: {exc}"))


def scan(text: str, filename: str) -> None:
    """One pass over the parser's events: DirectoryError if nesting or aliases go too far."""
    frames: list[list[Any]] = []  # each open collection: [anchor, values inside]
    anchors: dict[str, int] = {}
    aliases = extra = 0
    loader = Loader(text)
    try:
        while loader.check_event():
            event = loader.get_event()
            kind = type(event)
            if kind is yaml.ScalarEvent:
                if event.anchor is not None:
                    anchors[event.anchor] = 1
                if frames:
                    frames[-1][1] += 1
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                if len(frames) >= MAX_DEPTH:
                    raise DirectoryError([_at(
                        filename, event.start_mark,
                        f"nested more than {MAX_DEPTH} levels deep: a directory needs about 6",
                    )])
                frames.append([event.anchor, 1])
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                anchor, nodes = frames.pop()
                if anchor is not None:
                    anchors[anchor] = nodes
                if frames:
                    frames[-1][1] += nodes
            elif kind is yaml.AliasEvent:
                aliases += 1
                nodes = anchors.get(event.anchor, 1)
                extra += nodes - 1
                _within_alias_limits(aliases, extra, filename, event.start_mark)
                if frames:
                    frames[-1][1] += nodes
    except yaml.YAMLError as exc:
        raise DirectoryError([_syntax_problem(exc, filename)]) from None
    finally:
        loader.dispose()


class _Unusual(Exception):
    """Something the one-pass reader leaves to the careful one (tags, merge keys, ...)."""


_NO_KEY = object()  # a mapping waiting for its next key, not for a value
_STR, _SEQ, _MAP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
_PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("null", "bool", "int", "float", "timestamp")
)


def _one_pass(text: str, filename: str) -> tuple[Any, list[tuple[yaml.Mark, str]]]:
    """What `scan` checks and the safe loader builds, in one pass over the parser's events.

    The safe loader composes the whole node tree first and then walks it again; this builds
    the same values straight from the events, a large file in about half the time. Anything
    beyond plain YAML (explicit tags, merge keys, keys that are collections, a second
    document, a repeated anchor) raises _Unusual, and the two-pass path reads the file.
    """
    loader = Loader(text)
    resolve, constructors = loader.resolve, loader.yaml_constructors
    # Each open collection: [value, anchor, values inside, key waiting for its value or
    # _NO_KEY, raw keys seen (a mapping's), is a mapping].
    frames: list[list[Any]] = []
    anchors: dict[str, tuple[Any, int]] = {}
    duplicates: list[tuple[yaml.Mark, str]] = []
    aliases = extra = 0
    root: Any = None
    documents = 0

    def add(value: Any, nodes: int, raw: Any, mark: yaml.Mark) -> None:
        nonlocal root
        if not frames:
            root = value
            return
        frame = frames[-1]
        frame[2] += nodes
        if not frame[5]:
            frame[0].append(value)
        elif frame[3] is _NO_KEY:
            if isinstance(value, list | dict):
                raise _Unusual
            if raw in frame[4]:
                duplicates.append((mark, str(raw)))
            frame[4].add(raw)
            frame[3] = value
        else:
            frame[0][frame[3]] = value
            frame[3] = _NO_KEY

    try:
        while loader.check_event():
            event = loader.get_event()
            kind = type(event)
            if kind is yaml.ScalarEvent:
                tag = event.tag
                if tag is None or tag == "!":
                    tag = resolve(yaml.ScalarNode, event.value, event.implicit)
                if tag == _STR:
                    value: Any = event.value
                elif tag in _PLAIN_TAGS:
                    node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark,
                                           event.style)
                    value = constructors[tag](loader, node)
                else:
                    raise _Unusual
                if event.anchor is not None:
                    if event.anchor in anchors:
                        raise _Unusual
                    anchors[event.anchor] = (value, 1)
                add(value, 1, event.value, event.start_mark)
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                mapping = kind is yaml.MappingStartEvent
                if event.tag not in (None, "!", _MAP if mapping else _SEQ):
                    raise _Unusual
                if len(frames) >= MAX_DEPTH:
                    raise DirectoryError([_at(
                        filename, event.start_mark,
                        f"nested more than {MAX_DEPTH} levels deep: a directory needs about 6",
                    )])
                if frames and frames[-1][5] and frames[-1][3] is _NO_KEY:
                    raise _Unusual  # a collection as a key
                container: Any = {} if mapping else []
                if event.anchor is not None:
                    if event.anchor in anchors:
                        raise _Unusual
                    anchors[event.anchor] = (container, 1)  # its size once it is closed
                frames.append([container, event.anchor, 1, _NO_KEY, set(), mapping])
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                container, anchor, nodes, _, _, _ = frames.pop()
                if anchor is not None:
                    anchors[anchor] = (container, nodes)
                add(container, nodes, None, event.start_mark)
            elif kind is yaml.AliasEvent:
                if event.anchor not in anchors:
                    raise _Unusual  # the careful path names the undefined alias
                value, nodes = anchors[event.anchor]
                aliases += 1
                extra += nodes - 1
                _within_alias_limits(aliases, extra, filename, event.start_mark)
                if frames and frames[-1][5] and frames[-1][3] is _NO_KEY:
                    raise _Unusual  # an alias as a key
                add(value, nodes, None, event.start_mark)
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise _Unusual
    except yaml.YAMLError as exc:
        raise DirectoryError([_syntax_problem(exc, filename)]) from None
    finally:
        loader.dispose()
    return root, duplicates


def parse_yaml(text: str, filename: str) -> tuple[Any, list[Problem]]:
    """(data, duplicate-key problems); DirectoryError when it cannot be read safely or at all."""
    try:
        data, duplicates = _one_pass(text, filename)
    except _Unusual:
        data, duplicates = _two_passes(text, filename)
    return data, [_at(filename, mark, f"duplicate key {quote(key)}") for mark, key in duplicates]


def _two_passes(text: str, filename: str) -> tuple[Any, list[tuple[yaml.Mark, str]]]:
    """Limits first (`scan`), then the safe loader, which handles every YAML feature."""
    scan(text, filename)
    loader = Loader(text)
    loader.duplicates = []
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as exc:
        raise DirectoryError([_syntax_problem(exc, filename)]) from None
    finally:
        loader.dispose()
    return data, loader.duplicates


class Marks:
    """Finds the line and column of any field path, composing the YAML again (only on error,
    and only after `scan` has found the file within the limits)."""

    def __init__(self, text: str) -> None:
        root = yaml.compose(text, Loader=Loader)
        assert root is not None, "only called for a document that parsed"
        self._root: yaml.Node = root

    def find(self, path: Path_, *, key: bool = False) -> tuple[int, int]:
        mark = self._node(path, key).start_mark
        return (mark.line + 1, mark.column + 1) if mark else (0, 0)

    def written(self, path: Path_) -> str:
        """The scalar exactly as typed, before YAML turned it into a number."""
        node = self._node(path, False)
        return str(node.value) if isinstance(node, yaml.ScalarNode) else ""

    def _node(self, path: Path_, key: bool) -> yaml.Node:
        node: yaml.Node = self._root
        for i, part in enumerate(path):
            child: yaml.Node | None = None
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    if key_node.value == part:
                        last = i == len(path) - 1
                        child = key_node if key and last else value_node
                        break
            elif (
                isinstance(node, yaml.SequenceNode)
                and isinstance(part, int)
                and 0 <= part < len(node.value)
            ):
                child = node.value[part]
            if child is None:
                break
            node = child
        return node


MAX_FILE_BYTES = 64 * 2**20  # 6,000 resources in one file are about 10 MB


def read_file(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise DirectoryError([Problem(
                str(path), 0, 0, "", f"larger than {MAX_FILE_BYTES >> 20} MB: split it into files"
            )])
        return path.read_bytes()
    except FileNotFoundError:
        raise DirectoryError([Problem(str(path), 0, 0, "", "file not found")]) from None
    except OSError as exc:
        raise DirectoryError(
            [Problem(str(path), 0, 0, "", f"cannot read: {exc.strerror}")]
        ) from None


def decode(raw: bytes, name: str) -> str:
    """UTF-8 text, naming the line and column of a byte that is not."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise DirectoryError(
            [Problem(name, line, column, "", "not UTF-8 text: save the file as UTF-8")]
        ) from None


def decode_file(path: Path) -> str:
    return decode(read_file(path), str(path))


def mapping_or_problem(data: Any, filename: str) -> Mapping[str, Any]:
    if data is None:
        raise DirectoryError([Problem(filename, 0, 0, "", "the file is empty")])
    if not isinstance(data, dict):
        raise DirectoryError([Problem(filename, 1, 1, "", "the file must be a mapping of keys")])
    return data
