"""YAML for every file Penah reads: libyaml's composer recurses once per nesting level (25,000
brackets crash the process) and aliases let 4 KB stand for billions of nodes, so one pass over
the parser's events, which builds nothing, refuses both before the safe loader runs."""

from __future__ import annotations

from typing import Any

import yaml

MAX_DEPTH = 64  # Penah's files need about 6
MAX_ALIASES = 100
MAX_ALIAS_NODES = 10_000  # nodes that aliases may add beyond those written out

SafeLoader: type[Any] = yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader


class LimitError(yaml.MarkedYAMLError):
    """Nesting or aliases beyond the limits, at the mark where the line was crossed."""


def check_limits(text: str) -> None:
    """LimitError if nesting or aliases go too far; the YAMLError of a syntax fault."""
    frames: list[list[Any]] = []  # each open collection: [anchor, values inside]
    anchors: dict[str, int] = {}  # values each anchor stands for
    aliases = extra = 0
    events = SafeLoader(text)
    try:
        while events.check_event():
            event = events.get_event()
            kind = type(event)  # not isinstance: libyaml's marks are not yaml.Mark to mypy
            if issubclass(kind, yaml.CollectionStartEvent):
                if len(frames) >= MAX_DEPTH:
                    raise LimitError(problem=f"nested more than {MAX_DEPTH} levels deep: "
                                     "Penah's files need about 6", problem_mark=event.start_mark)
                frames.append([event.anchor, 1])
                continue
            if issubclass(kind, yaml.CollectionEndEvent):
                anchor, nodes = frames.pop()
            elif kind is yaml.ScalarEvent:
                anchor, nodes = event.anchor, 1
            elif kind is yaml.AliasEvent:
                anchor, nodes = None, anchors.get(event.anchor, 1)
                aliases += 1
                extra += nodes - 1
                if aliases > MAX_ALIASES or extra > MAX_ALIAS_NODES:
                    what = (f"more than {MAX_ALIASES} aliases" if aliases > MAX_ALIASES else
                            f"aliases that stand for more than {MAX_ALIAS_NODES} values")
                    raise LimitError(problem=f"{what}: write the entries out instead",
                                     problem_mark=event.start_mark)
            else:
                continue
            if anchor is not None:
                anchors[anchor] = nodes
            if frames:
                frames[-1][1] += nodes
    finally:
        events.dispose()


def safe_load(text: str) -> Any:
    """The data of one YAML document, within the limits, else a YAMLError saying where."""
    check_limits(text)
    loader = SafeLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()
