"""Validating directory files: each on its own (YAML, the model, contact values), in a child
process for the bot, then what spans files (ids, references, one emergency category, one
`version`) over the whole. Every problem names file, line, column and field, and quotes input
only briefly."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field, ValidationError

from bot.directory.contacts import CONTACT_KINDS, ContactType, country_of
from bot.directory.model import (
    SECTIONS,
    UNQUOTED_NUMBER,
    WITH_IDS,
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
    old_key_message,
)
from bot.directory.queries import Directory
from bot.loading.yamlfile import QUOTE_CHARS, Loader, clip, node_at, parse_yaml, quote

_SINGULAR = {"regions": "region", "categories": "category", "resources": "resource"}
_REFS = {"resources": {"categories": "categories", "regions": "regions"},
         "guides": {"categories": "categories", "regions": "regions", "related": "resources"}}
Located = tuple[Path_, bool, str]  # (field path, whether its key is at fault, message)
Found = tuple[str, Path_, str]  # (file, field path, message)


class PartFile(_Strict):
    """One file of a directory: any of the sections; the whole must have each it needs."""

    version: Literal[1] | None = None
    languages: list[LangCode] | None = Field(default=None, min_length=1)
    regions: list[Region] = Field(default_factory=list)
    categories: list[Category] = Field(default_factory=list)
    resources: list[Resource] = Field(default_factory=list)
    guides: list[Guide] = Field(default_factory=list)
    known_fakes: list[KnownFake] = Field(default_factory=list)


def _message(error: Mapping[str, Any], path: Path_) -> str:
    """Pydantic's finding in the words of the directory's format."""
    kind, last, at_key = error["type"], path[-1] if path else "", "[key]" in error["loc"]
    if kind == "extra_forbidden":
        old = old_key_message(str(last), str(error.get("input", "")))
        return old or f"unknown key {quote(last)}"
    if kind in ("enum", "literal_error"):
        return f"must be one of: {error['ctx']['expected']} (got {quote(error['input'])})"
    if kind == "string_pattern_mismatch":
        field_name = next((p for p in reversed(path) if isinstance(p, str)), "")
        shown = quote(last if at_key else error["input"])
        if at_key or field_name in ("languages", "unreviewed"):
            return f"not a language code such as en, ar, ckb or ku: {shown}"
        if field_name == "country":
            return f"a two-letter country code in capitals, such as IQ or LB: {shown}"
        return f"ids are lower-case ASCII letters, digits and '-', at most 24: {shown}"
    if error.get("input", ...) is None:
        return "is empty: give a value (a text with ':' or ',' in it needs quotes)"
    if kind == "missing":
        return "this field is required"
    return clip(str(error["msg"]).removeprefix("Value error, "))


def _get(entry: Any, name: str) -> Any:
    """A field of a raw mapping or of a validated model."""
    return entry.get(name) if isinstance(entry, dict) else getattr(entry, name, None)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _entries(data: Any, kind: str) -> list[tuple[int, Any]]:
    items = _list(_get(data, kind))
    return [(i, e) for i, e in enumerate(items) if isinstance(e, dict | BaseModel)]


def contact_problems(
    data: Any, countries: Mapping[str, str | None], *, known_only: bool = False
) -> Iterator[tuple[Path_, str]]:
    """(path, message) for each contact value its type refuses in the country its resource's
    regions tell; with `known_only`, only for resources whose regions' countries are known."""
    for i, resource in _entries(data, "resources"):
        regions = [r for r in _list(_get(resource, "regions")) if isinstance(r, str)]
        if known_only and not all(r in countries for r in regions):
            continue  # its regions are in other files: checked with the whole
        for j, contact in enumerate(_list(_get(resource, "contacts"))):
            value, given = _get(contact, "value"), _get(contact, "country")
            try:
                kind = CONTACT_KINDS[ContactType(str(_get(contact, "type")))]
            except ValueError:
                continue  # the model has reported it
            country = country_of(given if isinstance(given, str) else None,
                                 [countries.get(r) for r in regions])
            message = kind.check(value.strip(), country) if isinstance(value, str) else None
            if message:
                yield ("resources", i, "contacts", j, "value"), clip(message)


def _unzoned(data: Any) -> Iterator[tuple[Path_, list[str]]]:
    """(path, regions) of hours, closed days and dated alerts that name no time zone."""
    for i, region in _entries(data, "regions"):
        if _dated(_get(region, "alert")) and not _get(region, "timezone"):
            yield ("regions", i, "alert"), []
    for i, resource in _entries(data, "resources"):
        if _get(resource, "timezone"):
            continue
        regions = [r for r in _list(_get(resource, "regions")) if isinstance(r, str)]
        if _dated(_get(resource, "alert")):
            yield ("resources", i, "alert"), regions
        for j, contact in enumerate(_list(_get(resource, "contacts"))):
            timed = [k for k in ("schedule", "closed_on") if _get(contact, k)]
            timed += ["alert"] if _dated(_get(contact, "alert")) else []
            if timed and not _get(contact, "timezone"):
                yield ("resources", i, "contacts", j, timed[0]), regions


def _dated(alert: Any) -> bool:
    return any(_get(alert, key) is not None for key in ("from", "from_", "until"))


def _zone_problem(regions: list[str], zones: Mapping[str, Any]) -> str | None:
    """Hours and dates are read in one time zone: named, or the one all the regions share."""
    if not regions:
        return "a dated alert is read in the region's time zone: give the region a timezone"
    if len({zones.get(r) for r in regions}) == 1 and zones.get(regions[0]):
        return None
    seen = ", ".join(f"{r}: {zones.get(r) or 'none'}" for r in regions)
    return (f"hours and dates are read in one time zone, and its regions have none in common "
            f"({clip(seen)}): give timezone: (such as Asia/Baghdad) here or on the resource")


def cross_problems(
    files: Sequence[tuple[str, Any]], known: Mapping[str, Iterable[str]] | None = None,
    *, whole: bool = False,
) -> list[Found]:
    """What spans entries and files, from each file's raw mapping or validated model: ids
    unique and known (besides the `known` ones), one emergency category, a time zone for
    hours and dates; for the `whole`, also what it needs once or at least once."""
    found: list[Found] = []
    ids: dict[str, set[str]] = {}
    for kind in WITH_IDS:
        seen: set[str] = set()
        for name, data in files:
            for i, entry in _entries(data, kind):
                if isinstance(ident := _get(entry, "id"), str):
                    if ident in seen:
                        found.append((name, (kind, i, "id"),
                                      f"duplicate id {quote(ident)} in {kind}"))
                    seen.add(ident)
        ids[kind] = seen.union((known or {}).get(kind, ()))
    emergency = [(name, i) for name, data in files
                 for i, group in _entries(data, "categories") if _get(group, "emergency") is True]
    found += [(name, ("categories", i, "emergency"), "only one category can be the emergency one")
              for name, i in emergency[1:]]
    for name, data in files:
        for kind, fields in _REFS.items():
            for i, entry in _entries(data, kind):
                for field, target in fields.items():
                    for j, ref in enumerate(_list(_get(entry, field))):
                        if isinstance(ref, str) and ref not in ids[target]:
                            close = difflib.get_close_matches(ref, ids[target], n=1)
                            hint = f" (did you mean {close[0]!r}?)" if close else ""
                            found.append((name, (kind, i, field, j),
                                          f"no {_SINGULAR[target]} {quote(ref)}{hint}"))
    if known is None:  # else other files' regions, and their zones, are not at hand
        zones = {i: _get(r, "timezone") for _, data in files
                 for _, r in _entries(data, "regions") if isinstance(i := _get(r, "id"), str)}
        found += [(name, path, message) for name, data in files
                  for path, regions in _unzoned(data) if (message := _zone_problem(regions, zones))]
    first = files[0][0] if files else "resources.yaml"
    for key in ("version", "languages") if whole else ():
        holders = [name for name, data in files if _get(data, key) is not None]
        if not holders:
            found.append((first, (key,), "this field is required"))
        found += [(name, (key,), f"already given in {holders[0]}: give it in one file")
                  for name in holders[1:]]
    found += [(first, (kind,), "at least one is required") for kind in ("regions", "categories")
              if whole and not any(_entries(data, kind) for _, data in files)]
    return found


def validate_part(text: str, name: str, context: Mapping[str, Any] | None = None) -> PartFile:
    """Validate one file's text; DirectoryError naming every problem in it.

    Without `context` (the other files' region countries and ids) the file is the whole
    directory, and references are checked here; with one, references are the whole's
    business, except when the file is broken anyway, so that every problem shows in one pass.
    """
    data, problems = parse_yaml(text, name)
    located: list[Located] = []
    model: PartFile | None = None
    try:
        model = PartFile.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            path = tuple(p for p in error["loc"] if p != "[key]")
            key = error["type"] == "extra_forbidden" or "[key]" in error["loc"]
            located.append((path, key, _message(error, path)))
    countries = dict(context["countries"]) if context else {}
    countries.update((r["id"], r.get("country")) for _, r in _entries(data, "regions")
                     if isinstance(r.get("id"), str))
    located += [(path, False, message) for path, message
                in contact_problems(data, countries, known_only=context is not None)]
    if context is None or ((located or problems) and any(context["ids"].values())):
        crossed = cross_problems([(name, data)], context["ids"] if context else None,
                                 whole=context is None)
        located += [(path, False, message) for _, path, message in crossed]
    if located:
        problems += place(text, name, located)
    if problems or model is None:
        raise DirectoryError(sorted(problems, key=lambda p: (p.line, p.column)))
    return model


def place(text: str, name: str, located: Iterable[Located]) -> list[Problem]:
    """Problems at the line and column of their field in the file's text."""
    root = yaml.compose(text, Loader=Loader)
    assert root is not None, "only called for a document that parsed"
    out = []
    for path, key, message in located:
        node = node_at(root, path, key)
        if message == UNQUOTED_NUMBER:
            message += f': "{clip(str(node.value), QUOTE_CHARS)}"'
        mark = node.start_mark
        out.append(Problem(name, mark.line + 1, mark.column + 1, format_path(path), message))
    return out


def whole(parts: Sequence[PartFile]) -> DirectoryFile:
    """The directory made of valid files' entries, in the order given."""
    languages = next((part.languages for part in parts if part.languages), ["en"])
    sections = {kind: [entry for part in parts for entry in getattr(part, kind)]
                for kind in SECTIONS}
    return DirectoryFile.model_construct(None, version=1, languages=languages, **sections)


def parse_directory(text: str, filename: str = "resources.yaml") -> Directory:
    """Validate a whole directory written as one text, in this process (tests, tools)."""
    return Directory(whole([validate_part(text, filename)]))
