"""Terms matched by their stems with each language's grammar: sensitive-terms.yaml's give a
person away at a glance (discreet mode hides them, in every language a text may be shown in), and
terms.yaml's variants are avoided, so one thing keeps one name ("تيليغرام", not "تيليجرام")."""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot import safeyaml
from bot.config import locale_file, shipped_locales

log = logging.getLogger(__name__)

FILE = "sensitive-terms.yaml"
TERMS_FILE = "terms.yaml"
GRAMMAR = "grammar"  # the key of the per-language affixes, beside the lists of terms
MAX_LINKING = 2  # linking words (ezafe, possessives) allowed between two words of a term
MAX_AFFIXES = 4  # affixes chained on one side of a stem: ی + ی + ەکان + م

# Terms and texts are compared with one spelling per letter, no vowels, tatweel or marks.
_SAME_LETTER = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا"})
_NO_ROOM = re.compile("[\u064b-\u065f\u0670\u0640\u200b-\u200f\u061c\u202a-\u202e"
                      "\u2066-\u2069\ufe0e]")
_WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    return _NO_ROOM.sub("", unicodedata.normalize("NFC", text).casefold().translate(_SAME_LETTER))


@dataclass(frozen=True)
class Grammar:
    prefixes: frozenset[str] = frozenset()
    endings: frozenset[str] = frozenset()
    linking: frozenset[str] = frozenset()  # small words that may sit between two of a term's


@dataclass(frozen=True)
class Term:
    written: str  # as the list has it, folded
    stems: tuple[str, ...]  # its words

    def found_in(self, folded: str, grammar: Grammar) -> bool:
        if self.written in folded:
            return True  # as written: a single word also inside a longer one
        if len(self.stems) < 2 or not all(stem in folded for stem in self.stems):
            return False  # each stem stands inside a word of the text, or the term is not there
        return _phrase(self.stems, grammar).search(folded) is not None


@functools.lru_cache(maxsize=1024)
def _phrase(stems: tuple[str, ...], grammar: Grammar) -> re.Pattern[str]:
    """The stems as whole words in order, with the language's affixes and linking words."""

    def one_of(pieces: frozenset[str]) -> str:
        return "(?:" + ("|".join(map(re.escape, sorted(pieces))) or "(?!)") + ")"

    before, after = (f"{one_of(affixes)}{{0,{MAX_AFFIXES}}}"
                     for affixes in (grammar.prefixes, grammar.endings))
    between = rf"(?:\W+{one_of(grammar.linking)}(?!\w)){{0,{MAX_LINKING}}}\W+"
    words = [before + re.escape(stem) + after for stem in stems]
    return re.compile(rf"(?<!\w){between.join(words)}(?!\w)")


NO_GRAMMAR = Grammar()


@dataclass(frozen=True)
class SensitiveTerms:
    symbols: tuple[str, ...] = ()
    words: Mapping[str, tuple[Term, ...]] = field(default_factory=dict)
    grammars: Mapping[str, Grammar] = field(default_factory=dict)
    # Per language, what a text holds if any of its terms is there (the whole term, or a
    # phrase's first stem): one search rules most texts out, where each term in turn would cost
    # a screen's every label a pass over the list. Made with the terms, off the event loop.
    _hints: Mapping[str, re.Pattern[str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        hints = {}
        for code, terms in self.words.items():
            needed = {t.written for t in terms} | {t.stems[0] for t in terms if len(t.stems) > 1}
            if needed:
                longest_first = sorted(needed, key=len, reverse=True)
                hints[code] = re.compile("|".join(map(re.escape, longest_first)))
        object.__setattr__(self, "_hints", hints)  # frozen: set once, here

    def found(self, text: str, *languages: str) -> str | None:
        """The first term or symbol in `text`, read in each of `languages` and in English."""
        if symbol := next((symbol for symbol in self.symbols if symbol in text), None):
            return symbol
        folded = fold(text)
        for code in dict.fromkeys((*languages, "en")):
            hint = self._hints.get(code)
            if hint is None or not hint.search(folded):
                continue
            grammar = self.grammars.get(code, NO_GRAMMAR)
            if found := next((t.written for t in self.words[code] if t.found_in(folded, grammar)),
                             None):
                return found
        return None


NO_TERMS = SensitiveTerms()


def term(written: str) -> Term:
    folded = fold(written)
    return Term(folded, tuple(_WORD.findall(folded)))


def _strings(values: Any) -> list[str]:
    return [str(v) for v in values or () if v] if isinstance(values, list) else []


class TermsFileError(ValueError):
    """A terms file cannot be used; the message names the file and why."""


def _read(path: Path) -> Any:
    try:
        return safeyaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise TermsFileError(f"{path}: cannot be read: {exc}") from None


def read_terms(path: Path) -> SensitiveTerms:
    data = _read(path)
    if not isinstance(data, dict):
        raise TermsFileError(f"{path}: must be a mapping of languages to their terms")
    grammars = data.get(GRAMMAR)
    grammars = grammars if isinstance(grammars, dict) else {}
    return SensitiveTerms(
        tuple(_strings(data.get("symbols"))),
        {str(code): tuple(map(term, _strings(values))) for code, values in data.items()
         if code not in ("symbols", GRAMMAR) and isinstance(values, list)},
        {str(code): Grammar(*(frozenset(map(fold, _strings(parts.get(key))))
                              for key in ("prefixes", "endings", "linking")))
         for code, parts in grammars.items() if isinstance(parts, dict)},
    )


def load_terms(locales: Path, keep: SensitiveTerms | None = None) -> SensitiveTerms:
    """Discreet mode never stops hiding names because of a typo: on a broken file the terms
    kept before, else the shipped ones, serve until it is fixed."""
    try:
        return read_terms(locale_file(locales, FILE))
    except TermsFileError as error:
        log.error("sensitive terms not reloaded, the last good ones are used: %s", error)
    if keep is not None:
        return keep
    try:
        return read_terms(shipped_locales() / FILE)
    except TermsFileError:
        return NO_TERMS


@dataclass(frozen=True)
class Variant:
    concept: str
    language: str
    use: str
    text: str
    term: Term

    def __str__(self) -> str:
        return f"{self.concept}: {self.text!r} is to be written {self.use!r}"


@dataclass(frozen=True)
class TermsTable:
    variants: tuple[Variant, ...]
    grammars: Mapping[str, Grammar]

    def find(self, language: str, text: str) -> Iterator[Variant]:
        """Each concept written with an avoided variant in `text` (once per concept)."""
        folded = fold(text)
        grammar = self.grammars.get(language, NO_GRAMMAR)
        first: dict[str, Variant] = {}
        for variant in self.variants:
            if variant.language == language and variant.term.found_in(folded, grammar):
                first.setdefault(variant.concept, variant)
        yield from first.values()


def parse_terms(raw: Any, source: str, grammars: Mapping[str, Grammar] | None = None) -> TermsTable:
    table = raw.get("terms") if isinstance(raw, dict) else None
    if not isinstance(table, dict):
        raise TermsFileError(f"{source}: expected 'terms:' followed by concepts")
    variants: list[Variant] = []
    grammars = grammars or {}
    for concept, entry in table.items():
        if not isinstance(entry, dict):
            raise TermsFileError(f"{source}: {concept}: expected a mapping of languages")
        for language, row in entry.items():
            where = f"{source}: {concept}.{language}"
            if language == "why":
                continue
            if not isinstance(row, dict) or not isinstance(row.get("use"), str):
                raise TermsFileError(f"{where}: needs 'use' (and 'avoid')")
            use, grammar = row["use"], grammars.get(str(language), NO_GRAMMAR)
            for text in map(str, row.get("avoid") or []):
                avoided = term(text)
                if not avoided.written or avoided.found_in(fold(use), grammar):
                    raise TermsFileError(f"{where}: {text!r} would be found in {use!r}")
                variants.append(Variant(str(concept), str(language), use, text, avoided))
    return TermsTable(tuple(variants), grammars)


def load_terms_table(locales: Path) -> TermsTable | None:
    """The locales folder's terms table, else the shipped one; None if neither exists."""
    path = locale_file(locales, TERMS_FILE)
    if not path.is_file():
        return None
    return parse_terms(_read(path), str(path), load_terms(locales).grammars)
