"""Typed search's tables, built from a directory's pieces and rebuilt only where they changed.

Each piece (one file as last read) keeps its share of the index: its entries with their rank,
and its entries per category and per place. Postings number entries
from a base given to each piece once and kept while the piece lasts; a new piece's base comes
after every other, so postings stay sorted. A reload then cuts the changed file's old entries
out of the postings of the words that file held (folded again from its entries) and appends
the new ones: work in proportion to the file, not to the directory. Nothing shared with an
earlier index is ever changed in place (it may still be answering someone): a table is copied,
then changed.
"""

from __future__ import annotations

import json
from array import array
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.directory.model import Guide, Resource
from bot.directory.queries import Directory, Piece, Rank
from bot.search.fold import deletions, index_words

PREFIX = 4  # a word cut short must keep this many letters
TYPO_LENGTH = 5  # one typo in a shorter word makes another word too often (اسري, اخري, يسري)
LAST_BASE = 2**32 - 1  # postings are arrays of 4-byte numbers
CHUNK = 1000  # words per line of a reader's answer: each decodes in about a millisecond

# "strong" (names, questions) and "text" (summaries, cautions, answers): word -> the piece's
# entries (resources, then guides, numbered from 0) that hold it, in order.
Words = Mapping[str, Mapping[str, Sequence[int]]]


@dataclass(frozen=True, slots=True)  # one of each per entry: no __dict__ each
class Hit:
    kind: str  # "resource" or "guide"
    id: str


@dataclass(frozen=True, slots=True)
class Entry:
    hit: Hit
    regions: frozenset[str]
    categories: tuple[str, ...]
    rank: Rank


def piece_words(resources: Iterable[Resource], guides: Iterable[Guide]) -> dict[str, dict[str,
                                                                                        list[int]]]:
    """The searchable words of one file's entries; the file's reader works them out."""
    seen: dict[str, list[str]] = {}
    strong: defaultdict[str, list[int]] = defaultdict(list)
    text: defaultdict[str, list[int]] = defaultdict(list)

    def add(target: dict[str, list[int]], texts: Iterable[str | None], doc: int) -> None:
        for word in index_words(" ".join(t for t in texts if t), seen):
            target[word].append(doc)

    resources = list(resources)
    for doc, resource in enumerate(resources):
        add(strong, resource.name.values(), doc)
        add(text, [*resource.summary.values(), *(resource.caution or {}).values()], doc)
    for doc, guide in enumerate(guides, len(resources)):
        add(strong, guide.question.values(), doc)
        add(text, guide.answer.values(), doc)
    return {"strong": dict(strong), "text": dict(text)}


def word_chunks(words: Words) -> Iterator[tuple[str, dict[str, Sequence[int]]]]:
    """("strong" or "text", up to CHUNK of its words): how a reader sends a file's words, so
    that the bot decodes a large file's words a little at a time."""
    for key in ("strong", "text"):
        held = list(words[key].items())
        for start in range(0, len(held), CHUNK):
            yield key, dict(held[start:start + CHUNK])


@dataclass(frozen=True)
class Segment:
    """One piece's share of the index."""

    entries: tuple[Entry, ...]
    orders: tuple[tuple[Rank, str], ...]  # each entry's place in display order: rank, then id
    in_order: tuple[int, ...]  # the entries in that order
    categories: dict[str, tuple[int, ...]]  # the entries of each category
    regions: dict[str, tuple[int, ...]]  # the entries of each region, GLOBAL_REGION included


def segment_of(directory: Directory, piece: Piece) -> Segment:
    """The piece's share, worked out once per piece and emergency category (ranks use it)."""
    emergency = directory.emergency_category
    return piece.memo(("search", emergency.id if emergency else None),
                      lambda p: _segment(directory, p))


def _segment(directory: Directory, piece: Piece) -> Segment:
    regions: dict[tuple[str, ...], frozenset[str]] = {}  # a few sets, shared by many entries
    categories: dict[tuple[str, ...], tuple[str, ...]] = {}

    def make(kind: str, ident: str, where: list[str], what: list[str], rank: Rank) -> Entry:
        places = regions.setdefault(tuple(where), frozenset(where))
        return Entry(Hit(kind, ident), places, categories.setdefault(tuple(what), tuple(what)),
                     rank)

    entries = [make("resource", r.id, r.regions, r.categories, rank)
               for r, rank in zip(piece.light, directory.ranks(piece), strict=True)]
    for guide in piece.guides:
        order = guide.order if guide.order is not None else 1000
        rank = (order, 2, 0, 9, guide.question["en"].casefold())
        entries.append(make("guide", guide.id, guide.regions, guide.categories, rank))
    members: dict[str, list[int]] = {}
    places: dict[str, list[int]] = {}
    for doc, entry in enumerate(entries):
        for category in entry.categories:
            members.setdefault(category, []).append(doc)
        for region in entry.regions:
            places.setdefault(region, []).append(doc)
    orders = tuple((entry.rank, entry.hit.id) for entry in entries)
    return Segment(
        tuple(entries),
        orders,
        tuple(sorted(range(len(entries)), key=orders.__getitem__)),
        {category: tuple(docs) for category, docs in members.items()},
        {region: tuple(docs) for region, docs in places.items()},
    )


@dataclass
class Tables:
    """Postings and the word lists built on them; `bases` says where each piece's entries
    are numbered from."""

    bases: dict[Piece, int] = field(default_factory=dict)
    segments: dict[Piece, Segment] = field(default_factory=dict)
    next_base: int = 0
    strong: dict[str, array[int]] = field(default_factory=dict)
    text: dict[str, array[int]] = field(default_factory=dict)
    starts: dict[str, tuple[str, ...]] = field(default_factory=dict)  # by first letters
    typos: dict[str, str | tuple[str, ...]] = field(default_factory=dict)  # by one deletion


def tables_for(directory: Directory, previous: Tables | None) -> Tables:
    """The tables of `directory`, from `previous` when most of its pieces are still there."""
    pieces = directory.pieces
    segments = {piece: segment_of(directory, piece) for piece in pieces}
    if previous is not None:
        new = [p for p in pieces if p not in previous.bases]
        gone = [p for p in previous.bases if p not in segments]
        added = sum(len(segments[p].entries) for p in new)
        if len(new) <= len(pieces) // 2 and previous.next_base + added < LAST_BASE:
            return _change(previous, segments, new, gone)
    return _change(Tables(), segments, list(pieces), [])


def _change(
    old: Tables, segments: dict[Piece, Segment], new: list[Piece], gone: list[Piece]
) -> Tables:
    t = Tables(
        {p: b for p, b in old.bases.items() if p in segments}, segments, old.next_base,
        dict(old.strong), dict(old.text), dict(old.starts), dict(old.typos),
    )
    owned: set[tuple[str, str]] = set()  # (table, word): arrays made in this build

    def own(kind: str, table: dict[str, array[int]], word: str) -> array[int]:
        found = table.get(word)
        if found is None or (kind, word) not in owned:
            found = table[word] = array("I", found if found is not None else ())
            owned.add((kind, word))
        return found

    touched: set[str] = set()
    for piece in gone:
        segment, base = old.segments[piece], old.bases[piece]
        end = base + len(segment.entries)
        # Its words folded again (a file's worth) rather than kept for every file meanwhile.
        folded = piece_words(piece.resources, piece.guides)
        for kind, table, key in (("s", t.strong, "strong"), ("t", t.text, "text")):
            held = folded[key]
            for word in held:
                docs = own(kind, table, word)
                start = bisect_left(docs, base)
                del docs[start : bisect_left(docs, end, start)]
                if not docs:
                    del table[word]
            touched.update(held)
    for piece in new:
        segment = segments[piece]
        base = t.bases[piece] = t.next_base
        t.next_base += max(1, len(segment.entries))
        chunks: Iterable[Sequence[Any]] = (
            map(json.loads, piece.words) if piece.words is not None
            else word_chunks(piece_words(piece.resources, piece.guides)))
        for key, words in chunks:  # a chunk at a time: no step holds the interpreter long
            kind, table = ("s", t.strong) if key == "strong" else ("t", t.text)
            if not old.bases:  # a first build: every array is this build's own
                get = table.get
                for word, numbers in words.items():
                    postings = get(word)
                    if postings is None:
                        postings = table[word] = array("I")
                    postings.extend(map(base.__add__, numbers))
            else:
                for word, numbers in words.items():
                    own(kind, table, word).extend(map(base.__add__, numbers))
            touched.update(words)
        piece.words = None  # held in the postings now; worked out again if ever needed
    _reword(old, t, touched)
    return t


def _reword(old: Tables, t: Tables, touched: set[str]) -> None:
    """Words that came or went: the prefix and typo tables follow, copied where they change."""
    starts: dict[str, set[str]] = {}
    for word in touched:
        was = word in old.strong or word in old.text
        now = word in t.strong or word in t.text
        if was != now and len(word) > PREFIX:
            prefix = word[:PREFIX]
            group = starts.setdefault(prefix, set(t.starts.get(prefix, ())))
            (group.add if now else group.discard)(word)
        was, now = word in old.strong, word in t.strong
        if was != now and typo_word(word):
            (_add_typos if now else _drop_typos)(t.typos, word)
    for prefix, group in starts.items():
        if group:
            t.starts[prefix] = tuple(sorted(group))
        else:
            t.starts.pop(prefix, None)


def typo_word(word: str) -> bool:
    return len(word) >= TYPO_LENGTH - 1 and not word.isdigit()


def _add_typos(typos: dict[str, str | tuple[str, ...]], word: str) -> None:
    for key in (word, *deletions(word)):
        have = typos.get(key)
        if have is None:
            typos[key] = word
        elif isinstance(have, str):
            typos[key] = (have, word)
        else:
            typos[key] = (*have, word)


def _drop_typos(typos: dict[str, str | tuple[str, ...]], word: str) -> None:
    for key in (word, *deletions(word)):
        have = typos.get(key)
        if have == word:
            del typos[key]
        elif isinstance(have, tuple):
            rest = tuple(w for w in have if w != word)
            typos[key] = rest[0] if len(rest) == 1 else rest


def typo_table(words: Iterable[str]) -> dict[str, str | tuple[str, ...]]:
    typos: dict[str, str | tuple[str, ...]] = {}
    for word in words:
        if typo_word(word):
            _add_typos(typos, word)
    return typos
