"""Words and symbols that give a person away at a glance, per language, from
`locales/sensitive-terms.yaml` (translators extend it). Discreet mode hides button labels that
contain one; the tests hold every screen's chat-list preview to it.

A text is read in every language it may be shown in: a Badini screen shows Arabic where Badini
is missing, so its labels are checked against the Arabic terms too. How a term matches, and
why, is explained at the top of the YAML file, next to the lists translators edit.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot import safeyaml
from bot.config import locale_file, shipped_locales

log = logging.getLogger(__name__)

FILE = "sensitive-terms.yaml"
GRAMMAR = "grammar"  # the key of the per-language affixes, beside the lists of terms
MAX_LINKING = 2  # linking words (ezafe, possessives) allowed between two words of a term
MAX_AFFIXES = 4  # affixes chained on one side of a stem: ی + ی + ەکان + م

# Spellings one reader takes for the same letter, and what takes no room in a word.
_SAME_LETTER = str.maketrans({
    "ي": "ی", "ى": "ی", "ك": "ک", "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا",
})  # fmt: skip
_NO_ROOM = re.compile(
    "[\u064b-\u065f\u0670\u0640\u200b-\u200f\u061c\u202a-\u202e\u2066-\u2069\ufe0e]"
)
_WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """The form terms and texts are compared in: NFC, case-folded, one spelling per letter,
    no vowel signs, tatweel, joiners or direction marks."""
    folded = unicodedata.normalize("NFC", text).casefold().translate(_SAME_LETTER)
    return _NO_ROOM.sub("", folded)


def folded_words(text: str) -> tuple[str, list[str]]:
    """A text as terms are matched in it: folded, and its words."""
    folded = fold(text)
    return folded, _WORD.findall(folded)


@dataclass(frozen=True)
class Grammar:
    """What a language attaches to a word, and the small words that may sit between two."""

    prefixes: frozenset[str] = frozenset()
    endings: frozenset[str] = frozenset()
    linking: frozenset[str] = frozenset()

    @staticmethod
    def _affixed(rest: str, affixes: frozenset[str]) -> bool:
        """True if `rest` is made of up to MAX_AFFIXES of the affixes (or is empty)."""
        reachable = {0}
        for _ in range(MAX_AFFIXES):
            if len(rest) in reachable:
                return True
            reachable = {
                start + len(affix)
                for start in reachable
                for affix in affixes
                if rest.startswith(affix, start)
            }
            if not reachable:
                return False
        return len(rest) in reachable

    def word_matches(self, stem: str, word: str) -> bool:
        """`word` is the stem with only this language's prefixes before and endings after."""
        at = word.find(stem)
        while at >= 0:
            if self._affixed(word[:at], self.prefixes) and self._affixed(
                word[at + len(stem) :], self.endings
            ):
                return True
            at = word.find(stem, at + 1)
        return False


@dataclass(frozen=True)
class Term:
    written: str  # as the list has it, folded
    stems: tuple[str, ...]  # its words

    def found_in(self, folded: str, words: Sequence[str], grammar: Grammar) -> bool:
        if self.written in folded:
            return True  # as written: a single word also inside a longer one
        if len(self.stems) < 2 or not all(stem in folded for stem in self.stems):
            return False  # each stem stands inside a word of the text, or the term is not there
        return any(self._from(words, start, 0, grammar) for start in range(len(words)))

    def _from(self, words: Sequence[str], at: int, stem: int, grammar: Grammar) -> bool:
        """The stems from `stem` on match the words from `at`, in order, each next one after
        at most MAX_LINKING linking words."""
        if at >= len(words) or not grammar.word_matches(self.stems[stem], words[at]):
            return False
        if stem == len(self.stems) - 1:
            return True
        for skipped in range(MAX_LINKING + 1):
            following = at + 1 + skipped
            if following >= len(words):
                return False
            if self._from(words, following, stem + 1, grammar):
                return True
            if words[following] not in grammar.linking:
                return False
        return False


NO_GRAMMAR = Grammar()


@dataclass(frozen=True)
class SensitiveTerms:
    symbols: tuple[str, ...] = ()
    words: Mapping[str, tuple[Term, ...]] = field(default_factory=dict)
    grammars: Mapping[str, Grammar] = field(default_factory=dict)

    def found(self, text: str, *languages: str) -> str | None:
        """The first sensitive term or symbol in `text`, read in each of `languages` (the
        reader's and those its texts fall back to) and in English."""
        for symbol in self.symbols:
            if symbol in text:
                return symbol
        folded, words = folded_words(text)
        for code in dict.fromkeys((*languages, "en")):
            grammar = self.grammars.get(code, NO_GRAMMAR)
            for term in self.words.get(code, ()):
                if term.found_in(folded, words, grammar):
                    return term.written
        return None


NO_TERMS = SensitiveTerms()


def term(written: str) -> Term:
    folded = fold(written)
    return Term(folded, tuple(_WORD.findall(folded)))


def _strings(values: Any) -> list[str]:
    return [str(v) for v in values or () if v] if isinstance(values, list) else []


def _folded(parts: Mapping[str, Any], key: str) -> frozenset[str]:
    return frozenset(fold(a) for a in _strings(parts.get(key)))


def grammars_from(data: Any) -> dict[str, Grammar]:
    if not isinstance(data, dict):
        return {}
    return {
        str(code): Grammar(*(_folded(parts, key) for key in ("prefixes", "endings", "linking")))
        for code, parts in data.items()
        if isinstance(parts, dict)
    }


def terms_from(data: Mapping[str, Any]) -> SensitiveTerms:
    symbols = tuple(_strings(data.get("symbols")))
    words = {
        str(code): tuple(term(w) for w in _strings(values))
        for code, values in data.items()
        if code not in ("symbols", GRAMMAR) and isinstance(values, list)
    }
    return SensitiveTerms(symbols, words, grammars_from(data.get(GRAMMAR)))


class TermsFileError(ValueError):
    """sensitive-terms.yaml cannot be used; the message names the file and why."""


def read_terms(path: Path) -> SensitiveTerms:
    try:
        data = safeyaml.load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise TermsFileError(f"{path}: cannot be read: {exc}") from None
    if not isinstance(data, dict):
        raise TermsFileError(f"{path}: must be a mapping of languages to their terms")
    return terms_from(data)


def load_terms(locales: Path, keep: SensitiveTerms | None = None) -> SensitiveTerms:
    """The terms next to the catalogs. Discreet mode never stops hiding names because of a
    typo: on a broken file the terms kept before, else the shipped ones, serve until it is
    fixed (`penah i18n` names the fault)."""
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
