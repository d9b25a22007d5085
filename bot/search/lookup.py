"""Typed search over the directory: what a person types, matched in every language at once.

The query lives only in this call: nothing here stores, counts or logs it. An index is built
once per directory object (when it loads, in the reloader's worker thread) and dropped with
it, so a reload brings a fresh index and a query never meets two directories.
"""

from __future__ import annotations

import gc
import threading
import weakref

from bot.directory.queries import Directory
from bot.search.build import Hit
from bot.search.index import MAX_RESULTS, Found, Index, Outcome, refused

__all__ = ["MAX_RESULTS", "Found", "Hit", "Index", "Outcome", "build", "cached", "index_for",
           "refused", "search"]

# ---------------------------------------------------------------------- one index per directory

_INDEXES: dict[int, tuple[weakref.ref[Directory], Index]] = {}
_BUILDING = threading.RLock()
# The newest index: the next is built from it, for the files the two directories share.
_latest: list[Index] = []


def cached(directory: Directory) -> Index | None:
    entry = _INDEXES.get(id(directory))
    return entry[1] if entry is not None and entry[0]() is directory else None


FREEZE_FROM = 1_000  # entries


def build(directory: Directory, previous: Index | None = None) -> Index:
    """A new index, with the cyclic collector paused: a build makes hundreds of thousands of
    small objects, none cyclic, and a collection among them holds the interpreter lock (and
    the event loop with it). For a large directory they are then frozen, as the reloader
    freezes the first directory: the collection the resumed collector would start at once
    held the loop 200-300 ms at 10,000 entries; frozen, 70-100 ms (benchmarks/search.py)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        index = Index(directory, previous)
        if len(index.entries) >= FREEZE_FROM:
            gc.freeze()
        return index
    finally:
        if collecting:
            gc.enable()


def index_for(directory: Directory) -> Index:
    """The directory's index, built once (from the newest index, for the files the two
    share); it goes when the directory does."""
    index = cached(directory)
    if index is not None:
        return index
    with _BUILDING:
        index = cached(directory)
        if index is None:
            index = build(directory, _latest[0] if _latest else None)
            _latest[:] = [index]
            key = id(directory)
            ref = weakref.ref(directory, lambda _: _forget(key))
            _INDEXES[key] = (ref, index)
    return index


def search(directory: Directory, query: str, region: str | None) -> Found:
    return index_for(directory).search(query, region)


def _forget(key: int) -> None:
    """The directory is gone: empty the tables its index alone holds, a piece at a time, as
    the reloader empties the directory, so that freeing them does not hold the interpreter
    lock in one go. (Each index has its own copy of these tables; their contents, and the
    categories' words, may live on in the next index.)"""
    with _BUILDING:  # not while the next index is being built from this one
        entry = _INDEXES.pop(key, None)
        if entry is None or entry[1] in _latest:
            return
    index = entry[1]
    for table in (index.typos, index.strong, index.text, index.starts, index.entries,
                  index.position, index.visible, index.members, index.by_category):
        while table:
            table.popitem()
