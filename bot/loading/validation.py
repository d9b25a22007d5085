"""Validating directory files, each on its own (YAML within bot.safeyaml's limits, the model,
contact values) and then what spans files. Every problem names file, line, column and field,
and quotes input only briefly."""

from __future__ import annotations

import difflib
import re
import reprlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field, ValidationError

from bot.directory import model
from bot.directory.contacts import CONTACT_KINDS, ContactType, country_of
from bot.directory.model import DirectoryError, Path_, Problem
from bot.directory.queries import Directory
from bot.safeyaml import LimitError, SafeLoader, check_limits

QUOTE_CHARS = 80
_SINGULAR = {"regions": "region", "categories": "category", "resources": "resource"}
_REFS = {"resources": {"categories": "categories", "regions": "regions"},
         "guides": {"categories": "categories", "regions": "regions", "related": "resources"}}
Located = tuple[Path_, bool, str]  # (field path, whether its key is at fault, message)
Unplaced = tuple[str, Path_, str]  # (file, field path, message)
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
    """DirectoryError if nesting or aliases go too far, or the YAML cannot be read."""
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


class PartFile(model._Strict):
    """One file of a directory: any of the sections; the whole must have each it needs."""

    version: Literal[1] | None = None
    languages: list[model.LangCode] | None = Field(default=None, min_length=1)
    regions: list[model.Region] = Field(default_factory=list)
    categories: list[model.Category] = Field(default_factory=list)
    resources: list[model.Resource] = Field(default_factory=list)
    guides: list[model.Guide] = Field(default_factory=list)
    known_fakes: list[model.KnownFake] = Field(default_factory=list)


def _message(error: Mapping[str, Any], path: Path_) -> str:
    kind, last, at_key = error["type"], path[-1] if path else "", "[key]" in error["loc"]
    if kind == "extra_forbidden":
        old = model.old_key_message(str(last), str(error.get("input", "")))
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
    """A field of a raw mapping (a file that may be broken) or of a validated model."""
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
) -> list[Unplaced]:
    """What spans entries and files, from each file's raw mapping or validated model: ids
    unique and known (besides the `known` ones), one emergency category, a time zone for
    hours and dates; for the `whole`, also what it needs once or at least once."""
    found: list[Unplaced] = []
    ids: dict[str, set[str]] = {}
    for kind in model.WITH_IDS:
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
    """One file's entries, else DirectoryError naming every problem in it. Without `context`
    (the other files' region countries and ids) the file is the whole directory; with one,
    references are the whole's business, unless the file is broken anyway: every problem
    shows in one pass."""
    data, problems = parse_yaml(text, name)
    located: list[Located] = []
    part: PartFile | None = None
    try:
        part = PartFile.model_validate(data)
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
    if problems or part is None:
        raise DirectoryError(sorted(problems, key=lambda p: (p.line, p.column)))
    return part


def place(text: str, name: str, located: Iterable[Located]) -> list[Problem]:
    root = yaml.compose(text, Loader=Loader)
    assert root is not None, "only called for a document that parsed"
    out = []
    for path, key, message in located:
        node = node_at(root, path, key)
        if message == model.UNQUOTED_NUMBER:
            message += f': "{clip(str(node.value), QUOTE_CHARS)}"'
        mark = node.start_mark
        out.append(Problem(name, mark.line + 1, mark.column + 1, model.format_path(path), message))
    return out


def whole(parts: Sequence[PartFile]) -> model.DirectoryFile:
    languages = next((part.languages for part in parts if part.languages), ["en"])
    sections = {kind: [entry for part in parts for entry in getattr(part, kind)]
                for kind in model.SECTIONS}
    return model.DirectoryFile.model_construct(None, version=1, languages=languages, **sections)


def parse_directory(text: str, filename: str = "resources.yaml") -> Directory:
    """Validate a whole directory written as one text, in this process (tests, tools)."""
    return Directory(whole([validate_part(text, filename)]))
