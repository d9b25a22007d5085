"""One term for one thing: texts checked against locales/terms.yaml's variants to avoid, so a
split ("تيليغرام" here, "تيليجرام" there) cannot come back unnoticed. A variant matches as a
sensitive term does, with that file's grammar, so its inflected forms are found too.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot import safeyaml
from bot.config import locale_file
from bot.i18n import sensitive

TERMS_FILE = "terms.yaml"


@dataclass(frozen=True)
class Variant:
    concept: str
    language: str
    use: str
    text: str
    term: sensitive.Term

    def __str__(self) -> str:
        return f"{self.concept}: {self.text!r} is to be written {self.use!r}"


@dataclass(frozen=True)
class TermsTable:
    variants: tuple[Variant, ...]
    grammars: Mapping[str, sensitive.Grammar]

    def find(self, language: str, text: str) -> Iterator[Variant]:
        """Each concept written with an avoided variant in `text` (once per concept)."""
        folded = sensitive.fold(text)
        grammar = self.grammars.get(language, sensitive.NO_GRAMMAR)
        first: dict[str, Variant] = {}
        for variant in self.variants:
            if variant.language == language and variant.term.found_in(folded, grammar):
                first.setdefault(variant.concept, variant)
        yield from first.values()


class TermsError(ValueError):
    """terms.yaml cannot be used."""


def parse_terms(
    raw: Any, source: str, grammars: Mapping[str, sensitive.Grammar] | None = None
) -> TermsTable:
    table = raw.get("terms") if isinstance(raw, dict) else None
    if not isinstance(table, dict):
        raise TermsError(f"{source}: expected 'terms:' followed by concepts")
    variants: list[Variant] = []
    grammars = grammars or {}
    for concept, entry in table.items():
        if not isinstance(entry, dict):
            raise TermsError(f"{source}: {concept}: expected a mapping of languages")
        for language, row in entry.items():
            where = f"{source}: {concept}.{language}"
            if language == "why":
                continue
            if not isinstance(row, dict) or not isinstance(row.get("use"), str):
                raise TermsError(f"{where}: needs 'use' (and 'avoid')")
            use, grammar = row["use"], grammars.get(str(language), sensitive.NO_GRAMMAR)
            for text in map(str, row.get("avoid") or []):
                term = sensitive.term(text)
                if not term.written or term.found_in(sensitive.fold(use), grammar):
                    raise TermsError(f"{where}: {text!r} would be found in {use!r}")
                variants.append(Variant(str(concept), str(language), use, text, term))
    return TermsTable(tuple(variants), grammars)


def load_terms(locales: Path) -> TermsTable | None:
    """The locales folder's terms table, else the shipped one; None if neither exists."""
    path = locale_file(locales, TERMS_FILE)
    if not path.is_file():
        return None
    grammars = sensitive.load_terms(path.parent).grammars
    try:
        data = safeyaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise TermsError(f"{path}: cannot be read: {exc}") from None
    return parse_terms(data, str(path), grammars)
