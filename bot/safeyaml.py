"""YAML read safely, for every file Penah reads: limits first, then the safe loader.

libyaml's composer recurses once per nesting level (25,000 brackets crash the process) and
aliases let 4 KB stand for billions of nodes. A directory file and a locale file are both
written by hand, by people the bot does not control, and both are read again while the bot
runs, so one pass over the parser's events, which keeps its own stack and builds nothing,
refuses deep nesting and alias bombs before anything is composed.
"""

from __future__ import annotations

from typing import Any

import yaml

MAX_DEPTH = 64  # Penah's files need about 6
MAX_ALIASES = 100
MAX_ALIAS_NODES = 10_000  # nodes that aliases may add beyond those written out

SafeLoader: type[Any] = yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader


class LimitError(yaml.MarkedYAMLError):
    """Nesting or aliases beyond the limits, at the mark where the line was crossed."""

    def __init__(self, problem: str, mark: yaml.Mark) -> None:
        super().__init__(problem=problem, problem_mark=mark)
        self.problem: str = problem
        self.problem_mark: yaml.Mark = mark


def check_limits(text: str) -> None:
    """LimitError if nesting or aliases go too far; the YAMLError of a syntax fault."""
    frames: list[list[Any]] = []  # each open collection: [anchor, values inside]
    anchors: dict[str, int] = {}
    aliases = extra = 0
    events = SafeLoader(text)
    try:
        while events.check_event():
            event = events.get_event()
            kind = type(event)
            if kind is yaml.ScalarEvent:
                if event.anchor is not None:
                    anchors[event.anchor] = 1
                if frames:
                    frames[-1][1] += 1
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                if len(frames) >= MAX_DEPTH:
                    raise LimitError(
                        f"nested more than {MAX_DEPTH} levels deep: Penah's files need about 6",
                        event.start_mark)
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
                if aliases > MAX_ALIASES or extra > MAX_ALIAS_NODES:
                    what = (f"more than {MAX_ALIASES} aliases" if aliases > MAX_ALIASES else
                            f"aliases that stand for more than {MAX_ALIAS_NODES} values")
                    raise LimitError(f"{what}: write the entries out instead", event.start_mark)
                if frames:
                    frames[-1][1] += nodes
    finally:
        events.dispose()


def load(text: str) -> Any:
    """The data of one YAML document, within the limits; a YAMLError (LimitError among them)
    says what is wrong and where."""
    check_limits(text)
    loader = SafeLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()
