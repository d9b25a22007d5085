"""One term for one thing: catalogs and directory texts checked against locales/terms.yaml.

The table gives, per concept and language, the term to write and the variants to avoid; each
variant found is reported with file and line, so a split ("تيليغرام" here, "تيليجرام" there)
cannot come back unnoticed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from babel.messages.catalog import Catalog

from bot.config import shipped_locales

TERMS_FILE = "terms.yaml"


@dataclass(frozen=True)
class Variant:
    concept: str
    language: str
    use: str
    text: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class Terms:
    variants: tuple[Variant, ...]
    languages: tuple[str, ...]

    def find(self, language: str, text: str) -> Iterator[Variant]:
        """Each concept written with an avoided variant in `text` (once per concept)."""
        seen = set()
        for variant in self.variants:
            if (
                variant.language == language
                and variant.concept not in seen
                and variant.pattern.search(text)
            ):
                seen.add(variant.concept)
                yield variant


@dataclass(frozen=True)
class TermProblem:
    file: Path
    line: int
    language: str
    variant: Variant

    def __str__(self) -> str:
        v = self.variant
        return (f"{self.file}:{self.line}: {self.language} {v.concept}: "
                f"{v.text!r} is to be written {v.use!r}")


class TermsError(ValueError):
    """terms.yaml cannot be used."""


def _pattern(text: str) -> re.Pattern[str]:
    flags = re.IGNORECASE if text.isascii() or any("a" <= c.lower() <= "z" for c in text) else 0
    # Latin variants are whole words at their start (case endings may follow); others anywhere.
    start = r"(?<![^\W\d_])" if text[:1].isalpha() and text[:1].isascii() else ""
    return re.compile(start + re.escape(text), flags)


def parse_terms(raw: Any, source: str) -> Terms:
    table = raw.get("terms") if isinstance(raw, dict) else None
    if not isinstance(table, dict):
        raise TermsError(f"{source}: expected 'terms:' followed by concepts")
    variants: list[Variant] = []
    languages: dict[str, None] = {}
    for concept, entry in table.items():
        if not isinstance(entry, dict):
            raise TermsError(f"{source}: {concept}: expected a mapping of languages")
        for language, row in entry.items():
            if language == "why":
                continue
            if not isinstance(row, dict) or not isinstance(row.get("use"), str):
                raise TermsError(f"{source}: {concept}.{language}: needs 'use' (and 'avoid')")
            use = row["use"]
            languages[str(language)] = None
            for text in row.get("avoid") or []:
                text = str(text)
                if not text or text.casefold() in use.casefold():
                    where = f"{source}: {concept}.{language}"
                    raise TermsError(f"{where}: {text!r} is part of {use!r}")
                variants.append(Variant(str(concept), str(language), use, text, _pattern(text)))
    return Terms(tuple(variants), tuple(languages))


def load_terms(locales: Path) -> Terms | None:
    """The locales folder's terms table, else the shipped one; None if neither exists."""
    path = locales / TERMS_FILE
    if not path.is_file():
        path = shipped_locales() / TERMS_FILE
    if not path.is_file():
        return None
    return parse_terms(yaml.safe_load(path.read_text(encoding="utf-8")), str(path))


def check_catalogs(
    terms: Terms, catalogs: Mapping[str, tuple[Path, Catalog]]
) -> list[TermProblem]:
    found = []
    for code, (path, catalog) in catalogs.items():
        for message in catalog:
            if not message.id or not message.string:
                continue
            string = message.string
            forms = string if isinstance(string, tuple | list) else (string,)
            for variant in terms.find(code, "\n".join(forms)):
                found.append(TermProblem(path, message.lineno or 0, code, variant))
    return found


def _scalars(root: yaml.Node) -> Iterator[tuple[str, int, str]]:
    """(language key, line, text) for every text under a language key, each node once."""
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, str | None]] = [(root, None)]
    while stack:
        node, key = stack.pop()
        if id(node) in seen:
            continue  # an alias: already read where it was anchored
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack += [
                (v, k.value if isinstance(k, yaml.ScalarNode) else None) for k, v in node.value
            ]
        elif isinstance(node, yaml.SequenceNode):
            stack += [(item, None) for item in node.value]
        elif isinstance(node, yaml.ScalarNode) and key is not None:
            yield key, node.start_mark.line + 1, str(node.value)


def check_resources(terms: Terms, resources: Path) -> list[TermProblem]:
    try:
        root = yaml.compose(resources.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return []  # the directory report says why it cannot be read
    if root is None:
        return []
    languages = set(terms.languages)
    return [
        TermProblem(resources, line, key, variant)
        for key, line, text in _scalars(root)
        if key in languages
        for variant in terms.find(key, text)
    ]


def count_by_language(problems: list[TermProblem]) -> Counter[str]:
    return Counter(p.language for p in problems)
