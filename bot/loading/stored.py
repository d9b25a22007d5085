"""One file's resources in a compact form: what menus and checks need of each (its light row),
plain; everything else compressed in small blocks, rebuilt into models only when shown.

A directory of ten thousand resources is mostly texts in five languages that one person sees a
handful of at a time. Held as models they would be most of the bot's memory; here they take
about a third of their JSON. A screen pays to open the blocks it shows (about half a
millisecond each) and the last few dozen blocks opened stay open.
"""

from __future__ import annotations

import itertools
import json
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, NamedTuple, overload

from bot.directory.contacts import KINDS
from bot.directory.model import FALLBACK_LANGUAGE, Operator, Resource
from bot.loading.compact import Shared, resource

BLOCK = 8  # resources per block: one screen opens few, and each opens fast
LEVEL = 6  # zlib's default: a third smaller than level 1, written once per version of a file
OPEN_BLOCKS = 64  # blocks kept open, for all files together (~2 MB)

_OPERATORS = {o.value: o for o in Operator}


class Light(NamedTuple):
    """What the menus, the order and the checks across files need of a resource."""

    id: str
    order: int | None
    operator: Operator
    sort_name: str  # its English name, casefolded: display order uses it
    categories: list[str]
    regions: list[str]
    contacts: int
    reachable: bool  # one of its contacts can be called or messaged at once

    @classmethod
    def of(cls, resource: Resource) -> Light:
        return cls(
            resource.id, resource.order, resource.operator,
            resource.name[FALLBACK_LANGUAGE].casefold(),
            resource.categories, resource.regions, len(resource.contacts),
            any(KINDS[c.type].on_emergency for c in resource.contacts),
        )

    def row(self) -> list[Any]:
        """As the file's reader sends it."""
        return [self.id, self.order, self.operator.value, self.sort_name, self.categories,
                self.regions, self.contacts, self.reachable]


def pack(resources: Sequence[Resource]) -> tuple[list[list[Any]], list[bytes]]:
    """(light rows, compressed blocks) of validated resources: the reader's side."""
    blocks = [
        zlib.compress(b",".join(r.model_dump_json().encode() for r in resources[i:i + BLOCK]),
                      LEVEL)
        for i in range(0, len(resources), BLOCK)
    ]
    return [Light.of(r).row() for r in resources], blocks


class _Listed(Sequence[Resource]):
    """Indexed and equal like the list of resources it stands for; subclasses say how to get
    the resource at a position within bounds."""

    __hash__ = None  # type: ignore[assignment]

    def _item(self, index: int) -> Resource:
        raise NotImplementedError

    @overload
    def __getitem__(self, index: int) -> Resource: ...
    @overload
    def __getitem__(self, index: slice) -> list[Resource]: ...
    def __getitem__(self, index: int | slice) -> Resource | list[Resource]:
        if isinstance(index, slice):
            return [self._item(i) for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._item(index)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str | bytes):
            return NotImplemented
        return len(self) == len(other) and list(self) == list(other)


_tokens = itertools.count()
_open: OrderedDict[tuple[int, int], list[Resource]] = OrderedDict()
_open_lock = threading.Lock()


class Stored(_Listed):
    """One file's resources: light rows plain, the rest in blocks opened on demand."""

    def __init__(self, light: list[Light], blocks: list[bytes]) -> None:
        if len(blocks) != -(-len(light) // BLOCK):
            raise ValueError("blocks do not match the resources")
        self.light = light
        self.blocks = blocks
        self._token = next(_tokens)

    @classmethod
    def from_rows(
        cls, rows: Iterable[list[Any]], blocks: list[bytes], ids: Callable[[list[str]], list[str]]
    ) -> Stored:
        """From the reader's rows; `ids` shares equal id lists (a Shared's `ids`)."""
        return cls([
            Light(ident, order, _OPERATORS[operator], sort_name, ids(categories), ids(regions),
                  contacts, reachable)
            for ident, order, operator, sort_name, categories, regions, contacts, reachable in rows
        ], blocks)

    def __len__(self) -> int:
        return len(self.light)

    def _item(self, index: int) -> Resource:
        return self._block(index // BLOCK)[index % BLOCK]

    def __iter__(self) -> Iterator[Resource]:
        for number in range(len(self.blocks)):
            yield from self._block(number)

    def _block(self, number: int) -> list[Resource]:
        key = (self._token, number)
        with _open_lock:
            found = _open.get(key)
            if found is not None:
                _open.move_to_end(key)
                return found
        shared = Shared()
        values = json.loads(b"[" + zlib.decompress(self.blocks[number]) + b"]")
        found = [resource(shared, value) for value in values]
        with _open_lock:
            _open[key] = found
            while len(_open) > OPEN_BLOCKS:
                _open.popitem(last=False)
        return found


class Joined(_Listed):
    """Several files' resources as one sequence, without opening any."""

    def __init__(self, parts: Sequence[Sequence[Resource]]) -> None:
        self.parts = parts

    def __len__(self) -> int:
        return sum(map(len, self.parts))

    def _item(self, index: int) -> Resource:
        for part in self.parts:
            if index < len(part):
                return part[index]
            index -= len(part)
        raise IndexError(index)

    def __iter__(self) -> Iterator[Resource]:
        for part in self.parts:
            yield from part
