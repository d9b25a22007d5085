"""Danger in what a person types, heard by meaning in every language (`locales/danger.yaml`
explains its syntax). A message is folded as search folds it, one-letter words kept (Badini «ل من
ددەت»: the ل says it is a beating). Immutable once loaded: safe to share between threads."""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import accumulate, chain, product
from pathlib import Path
from typing import Any

import yaml

from bot import safeyaml
from bot.config import locale_file, shipped_locales
from bot.i18n import CODE_PATTERN
from bot.search.fold import fold, words

FILE = "danger.yaml"
# Affixes stacked on one word: three prefixes (و+س+ي+قتل, ال+ا+نتحار), two suffixes
# (يقتل+ون+ني, وێنە+کان+م, öldür+ecek+ler); a third suffix would multiply the stacks by forty.
MAX_PREFIXES = 3
MAX_SUFFIXES = 2
MAX_STACKS = 20_000  # forms per side of a stem: the shipped languages need a fifth of it
MIN_STEM = 3  # letters, folded: a shorter stem hides in too many ordinary words
LONG_VOWELS = "اوي"  # what Arabic noun and participle patterns put between a root's letters
MAX_WINDOW = 10
LANGUAGE_CODE = re.compile(CODE_PATTERN)
GROUP_NAME = re.compile(r"[a-z][a-z_]{0,19}")
_WORD = re.compile(r"[^\W_]+")  # as search folds words, one-letter words kept
_TERM = re.compile(r"(?P<shape>[=√]?)(?P<text>[^<>=√!|+]+)(?:<(?P<group>[^<>]+)>)?")
_ALONE = "(alone)"
_SIDES = (("prefixes", MAX_PREFIXES), ("suffixes", MAX_SUFFIXES))


class Danger(StrEnum):
    """The kinds of danger, gravest first: when a message says several, the first one wins."""

    SELF_HARM = "self_harm"
    THREAT = "threat"  # to life: someone will kill me, kidnapped, followed
    SEXUAL_VIOLENCE = "sexual_violence"
    VIOLENCE = "violence"  # beaten, hurt, at home or elsewhere
    BLACKMAIL = "blackmail"  # sextortion and leaked photos included
    GENERAL = "general"  # help me, I am in danger, SOS


LANGUAGE_KEYS = frozenset({"window", "prefixes", "suffixes", "groups", *Danger})


class DangerFileError(ValueError):
    """The danger words cannot be used; the message names the file and the field."""


Hit = tuple[int, int]  # (sign, term) met by one word


@dataclass(frozen=True, slots=True)
class Sign:
    kind: Danger
    negative: frozenset[int]  # terms that must not be found near the others
    window: int
    alone: bool  # the message holds nothing else
    wanted: tuple[int, ...]  # the terms that must be found


@dataclass(frozen=True, slots=True)
class Language:
    prefixes: Mapping[str, frozenset[str]]  # every stack of prefixes -> the groups it carries
    suffixes: Mapping[str, frozenset[str]]
    stems: Mapping[str, tuple[tuple[int, int, str | None], ...]]  # -> (sign, term, group)
    longest_prefix: int
    longest_suffix: int

    def hits(self, word: str) -> list[Hit]:
        size = len(word)
        fronts = [p for p in range(min(self.longest_prefix, size - MIN_STEM) + 1)
                  if word[:p] in self.prefixes]
        backs = [s for s in range(min(self.longest_suffix, size - MIN_STEM) + 1)
                 if word[size - s :] in self.suffixes]
        return [
            (sign, term)
            for p, s in product(fronts, backs) if size - p - s >= MIN_STEM
            for sign, term, group in self.stems.get(word[p : size - s], ())
            if group is None or group in self.prefixes[word[:p]]
            or group in self.suffixes[word[size - s :]]
        ]


@dataclass(frozen=True, slots=True)
class DangerWords:
    signs: tuple[Sign, ...] = ()
    languages: tuple[Language, ...] = ()
    exact: Mapping[str, tuple[Hit, ...]] = field(default_factory=dict)  # whole words, any language
    finder: re.Pattern[str] = re.compile("")  # a word holding a stem: the few worth taking apart


NO_WORDS = DangerWords()


@dataclass(frozen=True, slots=True)
class Spotted:
    kind: Danger
    rest: tuple[str, ...] = ()  # the message's other words, folded: what it asks for beside


def detect(vocabulary: DangerWords, text: str) -> Danger | None:
    """The gravest danger the message speaks of, or None."""
    return spotted.kind if (spotted := spot(vocabulary, text)) else None


def spot(vocabulary: DangerWords, text: str) -> Spotted | None:
    """As `detect`, with the words of the message that are not danger words."""
    message = _WORD.findall(fold(text))
    found: dict[int, dict[int, list[int]]] = {}  # per sign, per term, the words that meet it
    for position, word in enumerate(message):
        hits = [*vocabulary.exact.get(word, ())]
        if vocabulary.finder.search(word):
            hits += [hit for language in vocabulary.languages for hit in language.hits(word)]
        for number, term in hits:
            found.setdefault(number, {}).setdefault(term, []).append(position)
    # Distances count words of two letters or more: Badini «ل من ددەت», «ب وێنەیان».
    counted = list(accumulate(len(word) > 1 for word in message))
    ways = {n: _met(vocabulary.signs[n], terms, message, counted) for n, terms in found.items()}
    kinds = [vocabulary.signs[n].kind for n, way in ways.items() if way is not None]
    if not kinds:
        return None
    used = {position for way in ways.values() for position in way or ()}
    rest = words(" ".join(w for n, w in enumerate(message) if n not in used))
    return Spotted(min(kinds, key=list(Danger).index), tuple(rest))


def _met(
    sign: Sign, terms: Mapping[int, list[int]], message: Sequence[str], counted: Sequence[int]
) -> tuple[int, ...] | None:
    """The positions of one way the sign is met, or None. Windows are tried from each word
    that meets a term, leftmost first: a long message costs its length, not a product of counts."""
    wanted = sign.wanted
    if any(n not in terms for n in wanted):
        return None
    if sign.alone:  # every word of more than one letter is one of its terms ("danger!!")
        covered = {p for n in wanted for p in terms[n]}
        if any(len(w) > 1 and n not in covered for n, w in enumerate(message)):
            return None
    avoided = [counted[p] for n in sign.negative for p in terms.get(n, ())]
    events = sorted((counted[p], p, n) for n in wanted for p in terms[n])
    for first, (low, anchor, term) in enumerate(events):
        near: dict[int, list[int]] = {n: [] for n in wanted}
        for rank, position, other in events[first:]:
            if rank > low + sign.window:
                break
            near[other].append(position)
        near[term] = [anchor]
        for positions in product(*(near[n] for n in wanted)):  # each term in a word of its own
            high = max(counted[p] for p in positions)
            if len(set(positions)) == len(positions) and not any(
                    low - sign.window <= p <= high + sign.window for p in avoided):
                return positions
    return None


def load_danger(path: Path) -> DangerWords:
    """DangerFileError names the file and field of a fault; the caller then keeps the words
    it had, so a broken file neither silences the bot nor stops it."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DangerFileError(f"{path}: cannot be read: {error}") from None
    return parse_danger(text, str(path))


def danger_words_in(
    locales: Path, keep: DangerWords | None = None
) -> tuple[DangerWords, DangerFileError | None]:
    """A locales folder's danger words and the fault of a broken file. Danger is never unheard
    because of a typo: the words kept before, or at start the shipped ones, serve meanwhile."""
    shipped, path = shipped_locales() / FILE, locale_file(locales, FILE)
    try:
        return load_danger(path), None
    except DangerFileError as error:
        if keep is None and path != shipped:
            with contextlib.suppress(DangerFileError):
                keep = load_danger(shipped)
        return keep or NO_WORDS, error


@functools.cache
def shipped_danger_words() -> DangerWords:
    return danger_words_in(shipped_locales())[0]


@functools.lru_cache(maxsize=8)  # a reload of unchanged words does not make them again
def parse_danger(text: str, source: str) -> DangerWords:
    try:
        data = safeyaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        why = getattr(error, "problem", None) or type(error).__name__
        raise DangerFileError(f"{source}:{where} is not valid YAML: {why}") from None
    _require(isinstance(data, dict), f"{source}: must be a mapping with 'window' and 'languages'")
    unknown = min(map(str, set(data) - {"window", "languages"}), default=None)
    _require(unknown is None, f"{source}: unknown key {unknown!r}")
    window = _window(data.get("window", 3), f"{source}: window")
    languages = data.get("languages")
    _require(isinstance(languages, dict) and languages,
             f"{source}: languages: a mapping of language codes is required")
    signs: list[Sign] = []
    built = []
    exact: dict[str, list[Hit]] = {}
    for code, block in languages.items():
        where = f"{source}: languages.{code}"
        _require(isinstance(code, str) and LANGUAGE_CODE.fullmatch(code),
                 f"{where}: not a language code such as en, ar, ckb or ku-Arab")
        built.append(_language(block, window, signs, exact, where))
    whole = {word: tuple(dict.fromkeys(hits)) for word, hits in exact.items()}
    stems = sorted({stem for language in built for stem in language.stems})
    finder = re.compile("|".join(map(re.escape, stems)))
    return DangerWords(tuple(signs), tuple(built), whole, finder)


def _require(condition: object, problem: str) -> None:
    if not condition:
        raise DangerFileError(problem)


def _window(value: Any, where: str) -> int:
    _require(not isinstance(value, bool) and isinstance(value, int) and 1 <= value <= MAX_WINDOW,
             f"{where}: a number of words from 1 to {MAX_WINDOW}")
    return int(value)


def _language(
    block: Any, window: int, signs: list[Sign], exact: dict[str, list[Hit]], where: str
) -> Language:
    _require(isinstance(block, dict), f"{where}: must be a mapping of affixes and kinds of danger")
    unknown = min((str(k) for k in block if k not in LANGUAGE_KEYS), default=None)
    known = ", ".join(sorted(LANGUAGE_KEYS))
    _require(unknown is None, f"{where}: unknown key {unknown!r} (known: {known})")
    window = _window(block.get("window", window), f"{where}.window")
    pieces = {side: _affixes(block.get(side), f"{where}.{side}") for side, _ in _SIDES}
    carried: dict[str, dict[str, set[str]]] = {side: {} for side, _ in _SIDES}
    groups = block.get("groups") or {}
    _require(isinstance(groups, dict),
             f"{where}.groups: a mapping of names to prefixes and suffixes")
    for name, given in groups.items():
        at = f"{where}.groups.{name}"
        _require(isinstance(name, str) and GROUP_NAME.fullmatch(name),
                 f"{at}: a name in lower-case letters, such as me")
        _require(isinstance(given, dict) and given and not set(given) - {"prefixes", "suffixes"},
                 f"{at}: give its prefixes and/or suffixes")
        for side, _ in _SIDES:
            for piece in _affixes(given.get(side), f"{at}.{side}"):
                carried[side].setdefault(piece, set()).add(name)
                pieces[side].append(piece)
    stems: dict[str, list[tuple[int, int, str | None]]] = {}
    for kind in Danger:
        if (entries := block.get(kind.value)) is None:
            continue
        _require(isinstance(entries, list) and entries, f"{where}.{kind.value}: a list of signs")
        for n, entry in enumerate(entries):
            at = f"{where}.{kind.value}[{n}]"
            _require(isinstance(entry, str) and entry.strip(),
                     f"{at}: a sign is text, such as: kill + =myself")
            sign, terms = _sign(entry, kind, window, set(groups), at)
            for term, shape, text, group in terms:
                if shape == "=":
                    exact.setdefault(text, []).append((len(signs), term))
                else:
                    for form in _root_forms(text) if shape == "√" else (text,):
                        stems.setdefault(form, []).append((len(signs), term, group))
            signs.append(sign)
    prefixes, suffixes = (_stacks(pieces[side], carried[side], depth, f"{where}.{side}")
                          for side, depth in _SIDES)
    unique = {stem: tuple(dict.fromkeys(found)) for stem, found in stems.items()}
    return Language(prefixes, suffixes, unique, max(map(len, prefixes)), max(map(len, suffixes)))


def _affixes(value: Any, where: str) -> list[str]:
    _require(isinstance(value, list | None), f"{where}: a list of affixes")
    return [_one_word(piece, f"{where}[{n}]") for n, piece in enumerate(value or ())]


def _one_word(value: Any, where: str) -> str:
    """A word as typed search reads it: folded, one word, no spaces."""
    _require(isinstance(value, str), f"{where}: text, in quotes if YAML reads it otherwise")
    found = _WORD.findall(fold(value))
    _require(len(found) == 1, f"{where}: one word ({value!r}); join words of a sign with +")
    return str(found[0])


def _sign(
    entry: str, kind: Danger, window: int, groups: set[str], where: str
) -> tuple[Sign, list[tuple[int, str, str, str | None]]]:
    """The sign, and each alternative of its terms: (term, shape, folded text, group)."""
    alone = entry.strip().endswith(_ALONE)
    parts = [p.strip() for p in entry.strip().removesuffix(_ALONE).split("+")]
    negative = {n for n, part in enumerate(parts) if part.startswith("!")}
    terms = []
    at = f"{where} {entry!r}"
    for n, part in enumerate(p.removeprefix("!").strip() for p in parts):
        for choice in (c.strip() for c in part.split("|")):
            match = _TERM.fullmatch(choice)
            if match is None:
                raise DangerFileError(
                    f"{at}: {choice!r} is not a term (a stem, =word, √root, stem<group>)")
            shape, group = match["shape"], match["group"]
            folded = _one_word(match["text"], at)
            _require(group is None or group in groups,
                     f"{at}: no affix group {group!r} in this language")
            _require(group is None or shape != "=",
                     f"{at}: a whole word (=) takes no affixes: {choice!r}")
            _require(shape == "=" or len(folded) >= MIN_STEM,
                     f"{at}: the stem {choice!r} is shorter than {MIN_STEM} letters and hides "
                     "in too many ordinary words; write the whole words with = instead")
            terms.append((n, shape, folded, group))
    _require(len(negative) < len(parts), f"{at}: a sign needs a term that is not negated (!)")
    _require(not (alone and negative), f"{at}: a sign that counts alone has no ! terms")
    wanted = tuple(n for n in range(len(parts)) if n not in negative)
    return Sign(kind, frozenset(negative), window, alone, wanted), terms


def _root_forms(root: str) -> tuple[str, ...]:
    """A root's letters with at most one long vowel between two of them: √هدد gives هدد,
    تهديد's هديد, مهدود's هدود; √نتحر gives انتحار's نتحار."""
    forms = {root}
    for at in range(1, len(root)):
        forms.update(root[:at] + vowel + root[at:] for vowel in LONG_VOWELS)
    return tuple(sorted(forms))


def _stacks(
    pieces: Iterable[str], groups: Mapping[str, set[str]], depth: int, where: str
) -> dict[str, frozenset[str]]:
    """Every way of stacking up to `depth` pieces, with the groups each stack carries; built
    ahead, at start and on each reload, so their number is limited."""
    unique = sorted(set(pieces))
    forms = sum(len(unique) ** n for n in range(depth + 1))
    _require(forms <= MAX_STACKS, f"{where}: {len(unique)} pieces stack into {forms:,} forms, "
             f"more than {MAX_STACKS:,}: keep only the affixes its stems take")
    stacks: dict[str, frozenset[str]] = {}
    for combo in chain.from_iterable(product(unique, repeat=n) for n in range(depth + 1)):
        stack = "".join(combo)
        stacks[stack] = stacks.get(stack, frozenset()).union(*(groups.get(p, ()) for p in combo))
    return stacks
