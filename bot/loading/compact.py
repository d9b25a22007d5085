"""Rebuilding validated entries in the bot from a child's JSON, without validating again.

The child has checked every value with pydantic; here each entry only becomes its model
again (as `model_construct` would), with repeated texts, id lists and strings shared:
a large directory repeats labels, hours, language lists and region lists thousands of times.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from functools import partial
from typing import Any

from pydantic import BaseModel

from bot.directory.contacts import ContactType
from bot.directory.model import Category, Contact, Guide, Operator, Region, Resource
from bot.directory.provenance import Confirmation, How, Source

_set = object.__setattr__
_CONTACT_TYPES = {t.value: t for t in ContactType}
_OPERATORS = {o.value: o for o in Operator}


class Shared:
    """Interning tables for one load: equal values built once, then shared."""

    def __init__(self) -> None:
        self._texts: dict[tuple[tuple[str, str], ...], dict[str, str]] = {}
        self._lists: dict[tuple[str, ...], list[str]] = {}
        self._dates: dict[str, dt.date] = {}
        self._fields: dict[type[BaseModel], set[str]] = {}

    def text(self, value: dict[str, str] | None) -> dict[str, str] | None:
        if value is None:
            return None
        key = tuple((sys.intern(k), v) for k, v in value.items())
        found = self._texts.get(key)
        if found is None:
            found = self._texts[key] = dict(key)
        return found

    def ids(self, value: list[str]) -> list[str]:
        key = tuple(sys.intern(v) for v in value)
        found = self._lists.get(key)
        if found is None:
            found = self._lists[key] = list(key)
        return found

    def date(self, value: str) -> dt.date:
        found = self._dates.get(value)
        if found is None:
            found = self._dates[value] = dt.date.fromisoformat(value)
        return found

    def build(self, model: type[BaseModel], values: dict[str, Any]) -> Any:
        """What `model_construct` does for a model given every field, without its per-field
        loop (a third of a large load): the child dumped every field, already validated."""
        fields_set = self._fields.get(model)
        if fields_set is None:
            assert not model.__pydantic_post_init__ and not model.__private_attributes__
            fields_set = self._fields[model] = set(model.model_fields)
        assert values.keys() == fields_set, "the child sends every field"
        entry = model.__new__(model)
        _set(entry, "__dict__", values)
        _set(entry, "__pydantic_fields_set__", fields_set)
        _set(entry, "__pydantic_extra__", None)
        _set(entry, "__pydantic_private__", None)
        return entry


def _named(model: type[Region | Category], s: Shared, d: dict[str, Any]) -> Any:
    """A region or a category: an id and a name, the rest as the child sent it."""
    d["id"] = sys.intern(d["id"])
    d["name"] = s.text(d["name"])
    return s.build(model, d)


def _contact(s: Shared, d: dict[str, Any]) -> Contact:
    d["type"] = _CONTACT_TYPES[d["type"]]
    d["value"] = sys.intern(d["value"])
    d["label"] = s.text(d["label"])
    d["hours"] = s.text(d["hours"])
    d["languages"] = s.ids(d["languages"])
    return s.build(Contact, d)  # type: ignore[no-any-return]


def _source(s: Shared, d: dict[str, Any]) -> Source:
    d["read"] = s.date(d["read"])
    d["url"] = sys.intern(d["url"])
    return s.build(Source, d)  # type: ignore[no-any-return]


def _confirmation(s: Shared, d: dict[str, Any]) -> Confirmation:
    d["date"] = s.date(d["date"])
    d["how"] = How(d["how"])
    return s.build(Confirmation, d)  # type: ignore[no-any-return]


def resource(s: Shared, d: dict[str, Any]) -> Resource:
    d["id"] = sys.intern(d["id"])
    for key in ("name", "summary", "caution"):
        d[key] = s.text(d[key])
    d["operator"] = _OPERATORS[d["operator"]]
    d["categories"] = s.ids(d["categories"])
    d["regions"] = s.ids(d["regions"])
    d["contacts"] = [_contact(s, c) for c in d["contacts"]]
    d["source"] = _source(s, d["source"])
    d["confirmations"] = [_confirmation(s, c) for c in d["confirmations"]]
    return s.build(Resource, d)  # type: ignore[no-any-return]


def _guide(s: Shared, d: dict[str, Any]) -> Guide:
    d["id"] = sys.intern(d["id"])
    for key in ("question", "answer"):
        d[key] = s.text(d[key])
    d["categories"] = s.ids(d["categories"])
    d["regions"] = s.ids(d["regions"])
    d["related"] = s.ids(d["related"])
    d["source"] = _source(s, d["source"])
    return s.build(Guide, d)  # type: ignore[no-any-return]


BUILDERS: dict[str, Callable[[Shared, dict[str, Any]], Any]] = {
    "regions": partial(_named, Region),
    "categories": partial(_named, Category),
    "guides": _guide,
}
