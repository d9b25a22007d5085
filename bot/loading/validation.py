"""Validating directory files: one file against the model, and all files against each other.

A directory is one file or a folder of them. Each file is validated on its own (YAML, the
model, contact values), in a child process for the bot; what spans files (ids, references,
one emergency category, one `version`) is checked over the whole, cheaply, wherever the files
meet. Every problem names file, line, column and field, and quotes input only briefly.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from bot.directory import provenance
from bot.directory.contacts import CONTACT_KINDS, ContactType, country_of
from bot.directory.model import (
    SECTIONS,
    UNQUOTED_NUMBER,
    Category,
    DirectoryError,
    DirectoryFile,
    Guide,
    KnownFake,
    LangCode,
    Path_,
    Problem,
    Region,
    Resource,
    _Strict,
    format_path,
)
from bot.directory.queries import Directory
from bot.loading.yamlfile import QUOTE_CHARS, Marks, clip, mapping_or_problem, parse_yaml, quote

_SINGULAR = {"regions": "region", "categories": "category", "resources": "resource"}
_REFS = {"categories": "categories", "regions": "regions", "related": "resources"}


class PartFile(_Strict):
    """One file of a directory: any of the sections; the whole must have each it needs."""

    version: Literal[1] | None = None
    languages: list[LangCode] | None = Field(default=None, min_length=1)
    regions: list[Region] = Field(default_factory=list)
    categories: list[Category] = Field(default_factory=list)
    resources: list[Resource] = Field(default_factory=list)
    guides: list[Guide] = Field(default_factory=list)
    known_fakes: list[KnownFake] = Field(default_factory=list)


@dataclass
class Others:
    """What a file is checked against from the directory's other files."""

    countries: dict[str, str | None] = field(default_factory=dict)
    ids: dict[str, set[str]] = field(default_factory=dict)


@dataclass
class Part:
    """One valid file: its model, and the contact checks left until all regions are known."""

    model: PartFile
    deferred: list[tuple[Path_, dict[str, Any], list[str]]] = field(default_factory=list)


# --------------------------------------------------------------------------- messages
_MESSAGES = {"missing": "this field is required"}


def _pydantic_message(error: Mapping[str, Any], path: Path_) -> str:
    kind, last = error["type"], path[-1] if path else ""
    if kind == "extra_forbidden":
        old = provenance.old_key_message(str(last), str(error.get("input", "")))
        return old or f"unknown key {quote(last)}"
    if kind in ("enum", "literal_error"):
        return f"must be one of: {error['ctx']['expected']} (got {quote(error['input'])})"
    if kind == "string_pattern_mismatch":
        field_name = next((p for p in reversed(path) if isinstance(p, str)), "")
        shown = quote(error["input"] if "[key]" not in error["loc"] else last)
        if "[key]" in error["loc"] or field_name == "languages":
            return f"not a language code such as en, ar, ckb or ku: {shown}"
        if field_name == "country":
            return f"a two-letter country code in capitals, such as IQ or LB: {shown}"
        return f"ids are lower-case ASCII letters, digits and '-', at most 24: {shown}"
    if error.get("input", ...) is None:
        return "is empty: give a value (a text with ':' or ',' in it needs quotes)"
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    return clip(str(error["msg"]).removeprefix("Value error, "))


def _location(error: Mapping[str, Any]) -> tuple[Path_, bool]:
    """Pydantic's loc without its '[key]' marker, and whether the key itself is at fault."""
    key = error["type"] == "extra_forbidden" or "[key]" in error["loc"]
    return tuple(p for p in error["loc"] if p != "[key]"), key


# --------------------------------------------------------------------------- contact values
def contact_problem(contact: Mapping[str, Any], countries: Collection[str | None]) -> str | None:
    """The contact table's check of one contact given as data, its message cut short."""
    try:
        kind = CONTACT_KINDS[ContactType(str(contact.get("type")))]
    except ValueError:
        return None  # the type check has reported it already
    value, given = contact.get("value"), contact.get("country")
    if not isinstance(value, str):
        return None
    message = kind.check(value.strip(), country_of(given if isinstance(given, str) else None,
                                                   countries))
    return clip(message) if message else None


def _get(entry: Any, name: str) -> Any:
    return entry.get(name) if isinstance(entry, dict) else getattr(entry, name, None)


def _entries(data: Any, kind: str) -> list[tuple[int, Any]]:
    items = _get(data, kind)
    if not isinstance(items, list):
        return []
    if items and isinstance(items[0], BaseModel):  # validated: every entry is one
        return list(enumerate(items))
    return [(i, e) for i, e in enumerate(items) if isinstance(e, dict | BaseModel)]


def _contacts(
    data: Any, countries: Mapping[str, str | None]
) -> Iterable[tuple[Path_, dict[str, Any], list[str], bool]]:
    """(path, contact, regions, countries all known) for each contact of each resource."""
    for i, resource in _entries(data, "resources"):
        regions = [r for r in _get(resource, "regions") or [] if isinstance(r, str)]
        known = all(r in countries for r in regions)
        for j, contact in enumerate(_get(resource, "contacts") or []):
            if not isinstance(contact, dict):
                contact = contact.model_dump() if hasattr(contact, "model_dump") else None
            if contact is not None:
                yield ("resources", i, "contacts", j, "value"), contact, regions, known


# --------------------------------------------------------------------------- across files
@dataclass(frozen=True)
class Outline:
    """What one file brings to the checks across files, worked out once per version of the
    file: a reload checks the others' outlines again, not their entries."""

    name: str
    data: Any = field(repr=False)  # the file's raw mapping or validated entries
    emergency: list[int]  # positions of categories marked as the emergency one
    given: frozenset[str]  # of "version" and "languages"
    filled: frozenset[str]  # the kinds it has entries of

    @cached_property
    def ids(self) -> dict[str, list[tuple[int, str]]]:
        """kind -> (position, id)"""
        return {kind: list(_ids(self.data, kind)) for kind in SECTIONS}

    @cached_property
    def refs(self) -> list[tuple[Path_, str, str]]:
        """(path, kind referred to, id referred to)"""
        return [((kind, i, ref_field, j), target, ref)
                for kind, i, ref_field, target, found in _references(self.data)
                for j, ref in enumerate(found) if isinstance(ref, str)]


def _ids(data: Any, kind: str) -> Iterator[tuple[int, str]]:
    return ((i, e) for i, entry in _entries(data, kind) if isinstance(e := _get(entry, "id"), str))


def _references(data: Any) -> Iterator[tuple[str, int, str, str, list[Any]]]:
    """(kind, position, field, kind referred to, the field's list) for each reference list."""
    for kind in ("resources", "guides"):
        for i, entry in _entries(data, kind):
            for ref_field, target in _REFS.items():
                found = _get(entry, ref_field)
                if isinstance(found, list) and (kind, ref_field) != ("resources", "related"):
                    yield kind, i, ref_field, target, found


def outline(name: str, data: Any) -> Outline:
    """The outline of a file's raw mapping or validated model, tolerantly."""
    emergency = [i for i, c in _entries(data, "categories") if _get(c, "emergency") is True]
    given = frozenset(key for key in ("version", "languages") if _get(data, key) is not None)
    filled = frozenset(kind for kind in SECTIONS if _entries(data, kind))
    return Outline(name, data, emergency, given, filled)


def cross_problems(
    files: Sequence[Outline], extra_ids: Mapping[str, set[str]] | None = None
) -> list[tuple[str, Path_, str]]:
    """(file, path, message) for what spans files: ids unique and known, one emergency
    category."""
    found: list[tuple[str, Path_, str]] = []
    ids: dict[str, set[str]] = {kind: set((extra_ids or {}).get(kind, ())) for kind in SECTIONS}
    for kind in SECTIONS:
        seen: set[str] = set()
        for file in files:
            for i, ident in file.ids[kind]:
                if ident in seen:
                    found.append((file.name, (kind, i, "id"),
                                  f"duplicate id {quote(ident)} in {kind}"))
                seen.add(ident)
        ids[kind] |= seen
    emergency = 0
    for file in files:
        for i in file.emergency:
            emergency += 1
            if emergency > 1:
                found.append((file.name, ("categories", i, "emergency"),
                              "only one category can be the emergency one"))
        for path, target, ref in file.refs:
            if ref not in ids[target]:
                close = difflib.get_close_matches(ref, ids[target], n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                found.append((file.name, path, f"no {_SINGULAR[target]} {quote(ref)}{hint}"))
    return found


def whole_problems(files: Sequence[Outline]) -> list[tuple[str, Path_, str]]:
    """`cross_problems` plus what the whole needs once or more."""
    found = cross_problems(files)
    first = files[0].name if files else "resources.yaml"
    for key in ("version", "languages"):
        holders = [file.name for file in files if key in file.given]
        if not holders:
            found.append((first, (key,), "this field is required"))
        for name in holders[1:]:
            found.append((name, (key,), f"already given in {holders[0]}: give it in one file"))
    for kind in ("regions", "categories"):
        if not any(kind in file.filled for file in files):
            found.append((first if files else "", (kind,), "at least one is required"))
    return found


# --------------------------------------------------------------------------- one file
def validate_part(text: str, name: str, others: Others | None = None) -> Part:
    """Validate one file's text; DirectoryError naming every problem in it.

    Without `others` the file is the whole directory (references are checked here, with
    exact positions); with one, references are the whole's business, except when the file is
    broken anyway, so that every problem is reported in one pass.
    """
    data, problems = parse_yaml(text, name)
    data = mapping_or_problem(data, name)
    whole = others is None
    others = others or Others()
    located: list[tuple[Path_, bool, str]] = []
    model: PartFile | None = None
    try:
        model = PartFile.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            path, key = _location(error)
            located.append((path, key, _pydantic_message(error, path)))
    deferred: list[tuple[Path_, dict[str, Any], list[str]]] = []
    countries = {**others.countries}
    countries.update(
        (r.get("id"), r.get("country")) for _, r in _entries(data, "regions")
        if isinstance(r.get("id"), str)
    )
    for path, contact, regions, known in _contacts(data, countries):
        if not known and not whole:  # its regions are in other files: checked with the whole
            deferred.append((path, contact, regions))
            continue
        message = contact_problem(contact, [countries.get(r) for r in regions])
        if message:
            located.append((path, False, message))
    if whole:  # the rules across entries, as for any whole directory, and what it needs once
        located += [(path, False, message) for _, path, message in
                    whole_problems([outline(name, data)])]
    elif (located or problems) and any(others.ids.values()):  # none on a whole load
        crossed = cross_problems([outline(name, data)], others.ids)
        located += [(path, False, message) for _, path, message in crossed]
    if located:
        problems += place(text, name, located)
    if problems or model is None:
        problems.sort(key=lambda p: (p.line, p.column))
        raise DirectoryError(problems)
    return Part(model, deferred)


def place(text: str, name: str, located: Iterable[tuple[Path_, bool, str]]) -> list[Problem]:
    """Problems at the line and column of their field in the file's text."""
    marks = Marks(text)
    out = []
    for path, key, message in located:
        line, col = marks.find(path, key=key)
        if message == UNQUOTED_NUMBER:
            message += f': "{clip(marks.written(path), QUOTE_CHARS)}"'
        out.append(Problem(name, line, col, format_path(path), message))
    return out


def parse_directory(text: str, filename: str = "resources.yaml") -> Directory:
    """Validate a whole directory written as one text, in this process (tests, tools)."""
    model = validate_part(text, filename).model
    data = DirectoryFile.model_construct(
        version=1, languages=model.languages or [],
        **{kind: getattr(model, kind) for kind in SECTIONS},
    )
    return Directory(data, source=filename)
