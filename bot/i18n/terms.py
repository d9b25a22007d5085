"""One term for one thing: catalogs and directory texts checked against locales/terms.yaml.

The table gives, per concept and language, the term to write and the variants to avoid; each
variant found is reported with file and line, so a split ("تيليغرام" here, "تيليجرام" there)
cannot come back unnoticed. A variant is matched as a sensitive term is (`sensitive`: by its
stems, with the grammar of sensitive-terms.yaml beside it), so its inflected forms are found too.
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
        seen = set()
        for variant in self.variants:
            found = variant.language == language and variant.term.found_in(folded, grammar)
            if found and variant.concept not in seen:
                seen.add(variant.concept)
                yield variant


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
            if language == "why":
                continue
            if not isinstance(row, dict) or not isinstance(row.get("use"), str):
                raise TermsError(f"{source}: {concept}.{language}: needs 'use' (and 'avoid')")
            use = row["use"]
            for text in map(str, row.get("avoid") or []):
                variant = Variant(str(concept), str(language), use, text, sensitive.term(text))
                if not variant.term.written or any(
                    TermsTable((variant,), grammars).find(variant.language, use)
                ):
                    where = f"{source}: {concept}.{language}"
                    raise TermsError(f"{where}: {text!r} would be found in {use!r}")
                variants.append(variant)
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
