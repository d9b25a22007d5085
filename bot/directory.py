"""Reading resources.yaml: YAML with positions, then the model and the cross-entry checks.

Admins edit the file by hand, so every problem is reported at once, each with the file, line,
column and field path the YAML parser saw, and a reader never gets a half-valid directory.
The parts: `model` (what the file may contain), `contacts` (each contact type), `phones`,
`checks` (rules across entries, warnings) and `queries` (the loaded `Directory`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .checks import Entries, cross_problems, warnings_for
from .contacts import ContactType
from .model import (
    UNQUOTED_NUMBER,
    Category,
    Contact,
    DirectoryError,
    DirectoryFile,
    Guide,
    Operator,
    Path_,
    Problem,
    Region,
    Resource,
    format_path,
)
from .phones import Dialable, read_number
from .queries import Directory

__all__ = [
    "Category",
    "Contact",
    "ContactType",
    "Dialable",
    "Directory",
    "DirectoryError",
    "DirectoryFile",
    "Guide",
    "Operator",
    "Problem",
    "Region",
    "Resource",
    "decode_file",
    "load_directory",
    "parse_directory",
    "read_number",
    "warnings_for",
]

# --------------------------------------------------------------------------- loading


class _Loader(yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader):  # type: ignore[misc]
    """The safe loader (libyaml when present) that also refuses duplicate keys."""

    duplicates: list[tuple[yaml.Mark, str]]

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = key_node.value
            if key in seen:
                self.duplicates.append((key_node.start_mark, str(key)))
            seen.add(key)
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]


def _parse_yaml(text: str, filename: str) -> tuple[Any, list[Problem]]:
    loader = _Loader(text)
    loader.duplicates = []
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        reason = " ".join(filter(None, [exc.context, exc.problem]))
        return None, [Problem(filename, line, col, "", f"YAML syntax error: {reason}")]
    except yaml.YAMLError as exc:
        return None, [Problem(filename, 0, 0, "", f"YAML error: {exc}")]
    finally:
        loader.dispose()
    problems = [
        Problem(filename, m.line + 1, m.column + 1, "", f"duplicate key {key!r}")
        for m, key in loader.duplicates
    ]
    return data, problems


class _Marks:
    """Finds the line and column of a field path, composing the YAML again only on error."""

    def __init__(self, text: str) -> None:
        root = yaml.compose(text, Loader=_Loader)
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


_MESSAGES = {"missing": "this field is required"}


def _pydantic_message(error: Mapping[str, Any], path: Path_) -> str:
    kind, last = error["type"], path[-1] if path else ""
    if kind == "extra_forbidden":
        return f"unknown key {last!r}"
    if kind == "enum":
        return f"must be one of: {error['ctx']['expected']} (got {error['input']!r})"
    if kind == "string_pattern_mismatch":
        field = next((p for p in reversed(path) if isinstance(p, str)), "")
        shown = error["input"] if "[key]" not in error["loc"] else last
        if "[key]" in error["loc"] or field == "languages":
            return f"not a language code such as en, ar, ckb or ku: {shown!r}"
        if field == "country":
            return f"a two-letter country code in capitals, such as IQ or LB: {shown!r}"
        return f"ids are lower-case ASCII letters, digits and '-', at most 24: {shown!r}"
    if error.get("input", ...) is None:
        return "is empty: give a value (a text with ':' or ',' in it needs quotes)"
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    return str(error["msg"]).removeprefix("Value error, ")


def _location(error: Mapping[str, Any]) -> tuple[Path_, bool]:
    """Pydantic's loc without its '[key]' marker, and whether the key itself is at fault."""
    key = error["type"] == "extra_forbidden" or "[key]" in error["loc"]
    return tuple(p for p in error["loc"] if p != "[key]"), key


def parse_directory(text: str, filename: str = "resources.yaml") -> Directory:
    """Validate a whole file; raise DirectoryError listing every problem with its location."""
    data, problems = _parse_yaml(text, filename)
    if data is None and not problems:
        problems = [Problem(filename, 0, 0, "", "the file is empty")]
    if problems and data is None:
        raise DirectoryError(problems)
    if not isinstance(data, dict):
        raise DirectoryError([Problem(filename, 1, 1, "", "the file must be a mapping of keys")])

    located: list[tuple[Path_, bool, str]] = []
    model: DirectoryFile | None = None
    try:
        model = DirectoryFile.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            path, key = _location(error)
            located.append((path, key, _pydantic_message(error, path)))
    entries = Entries.of(model) if model is not None else Entries.valid_in(data)
    located += [(path, False, message) for path, message in cross_problems(entries)]

    if located:
        marks = _Marks(text)
        for path, key, message in located:
            line, col = marks.find(path, key=key)
            if message == UNQUOTED_NUMBER:
                message += f': "{marks.written(path)}"'
            problems.append(Problem(filename, line, col, format_path(path), message))
    if problems or model is None:
        problems.sort(key=lambda p: (p.line, p.column))
        raise DirectoryError(problems)
    return Directory(model, source=filename)


def load_directory(path: Path) -> Directory:
    return parse_directory(decode_file(path), str(path))


def decode_file(path: Path) -> str:
    """Read the file as UTF-8, naming the line and column of a byte that is not."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DirectoryError([Problem(str(path), 0, 0, "", "file not found")]) from None
    except OSError as exc:
        raise DirectoryError(
            [Problem(str(path), 0, 0, "", f"cannot read: {exc.strerror}")]
        ) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise DirectoryError(
            [Problem(str(path), line, column, "", "not UTF-8 text: save the file as UTF-8")]
        ) from None
